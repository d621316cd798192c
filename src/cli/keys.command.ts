import type { Revocation } from '../domain/key-revocation.service.ts';
import type { StagedRotation } from '../domain/key-rotation.service.ts';
import { listCookieKeys } from '../storage/cookie-keys.repository.ts';
import { listSigningKeys } from '../storage/signing-keys.repository.ts';
import type { CliContext } from './context.ts';
import { revocationReport } from './keys-revocation-report.ts';
import { idArgument, UsageError } from './usage.ts';

const iso = (date: Date | null) => date?.toISOString() ?? null;

interface KeyRowDates {
  state: string;
  created_at: Date;
  promote_at: Date | null;
  activated_at: Date | null;
  retired_at: Date | null;
  removed_at: Date | null;
}

const dates = (key: KeyRowDates) => ({
  state: key.state,
  created_at: iso(key.created_at),
  promote_at: iso(key.promote_at),
  activated_at: iso(key.activated_at),
  retired_at: iso(key.retired_at),
  removed_at: iso(key.removed_at),
});

export async function keysCommand(ctx: CliContext, action: string | undefined, args: string[]) {
  switch (action) {
    case 'list':
      return listKeys(ctx);
    case 'rotate':
      return rotateKeys(ctx);
    case 'revoke':
      return revokeKey(ctx, args);
    default:
      throw new UsageError(`unknown keys command: ${action ?? '(none)'}`);
  }
}

async function listKeys(ctx: CliContext) {
  const db = ctx.database.db;
  const keys = (await listSigningKeys(db)).map((key) => ({
    kid: key.kid,
    alg: key.alg,
    ...dates(key),
  }));
  const cookieKeys = (await listCookieKeys(db)).map((key) => ({ id: key.id, ...dates(key) }));
  const lines = [
    ...keys.map((key) => `${key.kid}  ${key.alg}  ${key.state}  ${key.created_at}`),
    ...cookieKeys.map((key) => `${key.id}  cookie  ${key.state}  ${key.created_at}`),
  ];
  ctx.print(lines.join('\n') || 'no keys yet (the server creates them at first start)', {
    keys,
    cookie_keys: cookieKeys,
  });
}

async function rotateKeys(ctx: CliContext) {
  const staged = await ctx.keys().rotation.rotateNow('cli');
  const line = (r: StagedRotation) =>
    `${r.family}: next key ${r.next} is published now and signs from ${r.signsFrom.toISOString()}` +
    `${r.current ? `; ${r.current} is then retired` : ''}`;
  const human = [
    ...staged.map(line),
    'A running server promotes each key once it has been published for the lead time',
    `(${ctx.config.keys.leadTimeSeconds} s), so every cached JWKS already holds it.`,
  ];
  ctx.print(human.join('\n'), {
    rotations: staged.map((r) => ({
      family: r.family,
      current: r.current ?? null,
      next: r.next,
      signs_from: r.signsFrom.toISOString(),
    })),
  });
}

async function revokeKey(ctx: CliContext, args: string[]) {
  const id = idArgument(args);
  if (!id) throw new UsageError('keys revoke needs the kid (or cookie key id) to revoke');
  const revocation: Revocation = await ctx.keys().revocation.revoke(id, 'cli');
  const report = revocationReport(revocation, ctx.config);
  ctx.print(report.human, report.json);
}
