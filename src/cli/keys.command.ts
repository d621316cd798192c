import type { Revocation } from '../domain/key-revocation.service.ts';
import type { StagedRotation } from '../domain/key-rotation.service.ts';
import { listCookieKeys } from '../storage/cookie-keys.repository.ts';
import { listSigningKeys } from '../storage/signing-keys.repository.ts';
import { defineCommand, jsonOption } from './command.ts';
import { revocationReport } from './keys-revocation-report.ts';
import { textTable } from './text-table.ts';

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

const list = defineCommand({
  name: 'keys list',
  summary: 'list signing and cookie keys, with state and dates',
  storage: 'reads',
  options: { json: jsonOption },
  examples: ['portcullis keys list'],
  async run(ctx) {
    const db = ctx.database.db;
    const keys = (await listSigningKeys(db)).map((key) => ({
      kid: key.kid,
      alg: key.alg,
      ...dates(key),
    }));
    const cookieKeys = (await listCookieKeys(db)).map((key) => ({ id: key.id, ...dates(key) }));
    const rows = [
      ...keys.map((key) => [key.kid, key.alg, key.state, key.created_at ?? '']),
      ...cookieKeys.map((key) => [key.id, 'cookie', key.state, key.created_at ?? '']),
    ];
    ctx.print(
      textTable(
        ['KID', 'ALG', 'STATE', 'CREATED'],
        rows,
        'no keys yet (the server creates them at first start)',
      ),
      { keys, cookie_keys: cookieKeys },
    );
  },
});

const rotate = defineCommand({
  name: 'keys rotate',
  summary: 'publish next keys now; they sign after the lead time',
  description:
    'Every family (each signing algorithm, and the cookie keys) gets a next key, published at\n' +
    'once; a running server promotes it once every cached JWKS holds it.',
  storage: 'writes',
  options: { json: jsonOption },
  examples: ['portcullis keys rotate'],
  async run(ctx) {
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
  },
});

const revoke = defineCommand({
  name: 'keys revoke',
  summary: 'emergency: unpublish a key, stop using it at once',
  description:
    'For a compromised key: its private half is destroyed, a new key signs at once, and the\n' +
    'command prints what that breaks (tokens it signed stop verifying).',
  storage: 'writes',
  argument: {
    name: 'kid',
    description:
      "a signing key's kid or a cookie key's id (one that begins with '--' goes after '--')",
  },
  options: { json: jsonOption },
  examples: ['portcullis keys revoke 3fJkq7oY0u2ZrXWc9nT4aB1sLdE6hPvGmQyK8iUx5wA'],
  async run(ctx, { argument }) {
    const revocation: Revocation = await ctx.keys().revocation.revoke(argument, 'cli');
    const report = revocationReport(revocation, ctx.config);
    ctx.print(report.human, report.json);
  },
});

export const keysCommands = [list, rotate, revoke];
