import { listSigningKeys } from '../storage/signing-keys.repository.ts';
import type { CliContext } from './context.ts';
import { UsageError } from './usage.ts';

export async function keysCommand(ctx: CliContext, action: string | undefined) {
  if (action !== 'list') throw new UsageError(`unknown keys command: ${action ?? '(none)'}`);
  const keys = (await listSigningKeys(ctx.database.db)).map((key) => ({
    kid: key.kid,
    alg: key.alg,
    state: key.state,
    created_at: key.created_at.toISOString(),
    activated_at: key.activated_at?.toISOString() ?? null,
    retired_at: key.retired_at?.toISOString() ?? null,
  }));
  const lines = keys.map((key) => `${key.kid}  ${key.alg}  ${key.state}  ${key.created_at}`);
  ctx.print(lines.join('\n') || 'no keys yet (the server creates them at first start)', { keys });
}
