import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
export const JWT_API = 'https://api.bench.example';

/**
 * Registers an API whose access tokens are JWTs, with the command DESIGN.md specifies
 * (`portcullis resources create --identifier URI --scope "a b" --format jwt --json`), run with
 * the server's own environment so that it writes to the server's storage.
 */
export function registerJwtApi(
  env: Record<string, string>,
): { identifier: string } | { unavailable: string } {
  const args = ['resources', 'create', '--identifier', JWT_API, '--scope', 'read write'];
  const result = spawnSync(process.execPath, [CLI, ...args, '--format', 'jwt', '--json'], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.status === 0) return { identifier: JWT_API };
  const reason = result.stderr.split('\n').find((line) => line.trim()) ?? `exit ${result.status}`;
  return { unavailable: `\`portcullis resources create\` failed: ${reason.trim()}` };
}
