import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliInProcess } from '../support/cli.ts';
import { runCli, type ServerProcess, startServerProcess } from '../support/processes.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

/** Parses the whole of stdout as one JSON value: anything else on stdout makes this throw. */
const jsonOf = (stdout: string): Record<string, unknown> => JSON.parse(stdout);

interface ListedKey {
  kid?: string;
  id?: string;
  alg?: string;
  state: string;
}

describe('portcullis keys on embedded storage', () => {
  let dir: TempDir;
  type Cli = (args: string[], env?: Record<string, string>) => ReturnType<typeof runCli>;
  /** In process: most cases test what a command does, not the process it runs in. */
  const cli: Cli = (args, env = {}) => runCliInProcess(args, { dataDir: dir.path, env });
  /** A real `portcullis` process, for the CLI beside a running server process. */
  const cliProcess: Cli = (args, env = {}) => runCli(args, { dataDir: dir.path, env });
  const list = async (using = cli) => {
    const run = await using(['keys', 'list', '--json']);
    expect(run.code).toBe(0);
    return jsonOf(run.stdout) as { keys: ListedKey[]; cookie_keys: ListedKey[] };
  };
  const kidOf = async (alg: string, state: string, using = cli) =>
    String((await list(using)).keys.find((key) => key.alg === alg && key.state === state)?.kid);

  beforeAll(() => {
    dir = makeTempDir('portcullis-cli-keys-');
  });
  afterAll(() => dir?.remove());

  it('rotate --json publishes a next key for every family, to sign after the lead time', async () => {
    const before = Date.now();
    const run = await cli(['keys', 'rotate', '--json']);
    expect(run.code).toBe(0);
    const { rotations } = jsonOf(run.stdout) as {
      rotations: { family: string; current: string; next: string; signs_from: string }[];
    };
    expect(rotations.map((rotation) => rotation.family).sort()).toEqual([
      'ES256',
      'RS256',
      'cookie',
    ]);
    for (const rotation of rotations) {
      expect(rotation.current).toEqual(expect.any(String));
      expect(rotation.next).not.toBe(rotation.current);
      const wait = Date.parse(rotation.signs_from) - before;
      expect(wait).toBeGreaterThanOrEqual(86_400_000 - 1000);
    }
  });

  it('list prints column headers over one row per key, cookie keys last', async () => {
    const run = await cli(['keys', 'list']);
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^KID {2,}ALG {2,}STATE {2,}CREATED$/);
    const algAndState = rows.map((row) => row.split(/ {2,}/).slice(1, 3).join(' '));
    expect(algAndState.slice(0, 4).sort()).toEqual([
      'ES256 current',
      'ES256 next',
      'RS256 current',
      'RS256 next',
    ]);
    expect(algAndState.slice(4).sort()).toEqual(['cookie current', 'cookie next']);
  });

  it('list --json shows every key with its state and dates, and no secret', async () => {
    const run = await cli(['keys', 'list', '--json']);
    expect(run.code).toBe(0);
    const { keys, cookie_keys: cookieKeys } = jsonOf(run.stdout) as {
      keys: ListedKey[];
      cookie_keys: ListedKey[];
    };
    expect(keys.map((key) => `${key.alg} ${key.state}`).sort()).toEqual([
      'ES256 current',
      'ES256 next',
      'RS256 current',
      'RS256 next',
    ]);
    expect(cookieKeys.map((key) => key.state).sort()).toEqual(['current', 'next']);
    expect(keys[0]).toMatchObject({ created_at: expect.any(String), promote_at: null });
    expect(run.stdout).not.toMatch(/private|secret_encrypted|"d"/);
  });

  it('revoke --json takes a signing key out at once, lets the next key sign, and says what breaks', async () => {
    const { keys } = await list();
    const kid = (state: string) =>
      keys.find((key) => key.alg === 'ES256' && key.state === state)?.kid;
    const [current, next] = [String(kid('current')), String(kid('next'))];
    const run = await cli(['keys', 'revoke', current, '--json']);

    expect(run.code).toBe(0);
    const report = jsonOf(run.stdout);
    expect(report).toMatchObject({
      revoked: current,
      kind: 'signing_key',
      family: 'ES256',
      previous_state: 'current',
      replaced_by: next,
    });
    expect(String(report.breaks)).toMatch(/stops verifying/);
    const after = (await list()).keys;
    expect(after.find((key) => key.kid === next)?.state).toBe('current');
    expect(after.find((key) => key.kid === current)?.state).toBe('revoked');
  });

  it('revoke tells a person what the revocation breaks', async () => {
    const current = await kidOf('RS256', 'current');
    const run = await cli(['keys', 'revoke', current]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`revoked RS256 signing key ${current} (was current)`);
    expect(run.stdout).toContain('What this breaks:');
    expect(run.stdout).toContain('stops verifying');
    expect(run.stdout).toMatch(/up to 600 s/);
  });

  it('revoke exits 1 for an unknown key and 2 without one', async () => {
    const unknown = await cli(['keys', 'revoke', 'no-such-kid', '--json']);
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toContain('no signing or cookie key has the id no-such-kid');
    const missing = await cli(['keys', 'revoke']);
    expect(missing.code).toBe(2);
    const extra = await cli(['keys', 'revoke', 'one-kid', 'another-kid']);
    expect(extra.code).toBe(2);
  });

  it('takes a kid that begins with "-" as the kid, not as an option (base64url allows it)', async () => {
    for (const args of [
      ['-Ab3-kid', '--json'],
      ['--json', '-Ab3-kid'],
      ['--', '-Ab3-kid'],
    ]) {
      const run = await cli(['keys', 'revoke', ...args]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('no signing or cookie key has the id -Ab3-kid');
    }
  });

  describe('while the server runs on the same data directory', () => {
    let server: ServerProcess;
    const watch = { PORTCULLIS_KEY_WATCH_INTERVAL_SECONDS: '1' };
    const publishedKids = async () => {
      const { keys } = (await (await fetch(`${server.url}/jwks`)).json()) as { keys: ListedKey[] };
      return keys.map((key) => key.kid);
    };

    beforeAll(async () => {
      server = await startServerProcess(dir.path, { env: watch });
    });
    afterAll(() => server?.stop('SIGKILL'));

    it('takes a revoked key out of the running server’s JWKS within its watch interval', async () => {
      const current = await kidOf('ES256', 'current', cliProcess);
      expect(await publishedKids()).toContain(current);
      const run = await cliProcess(['keys', 'revoke', current, '--json'], watch);
      expect(run.code).toBe(0);
      const revokedAt = Date.now();
      await expect.poll(publishedKids, { timeout: 3000, interval: 50 }).not.toContain(current);
      expect(Date.now() - revokedAt).toBeLessThan(1500);
      expect(await publishedKids()).toContain(jsonOf(run.stdout).replaced_by);
    });
  });
});
