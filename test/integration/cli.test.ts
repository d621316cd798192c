import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, USAGE } from '../../src/cli/commands.ts';
import { commandHelp } from '../../src/cli/help.ts';
import { runCliInProcess } from '../support/cli.ts';
import { runCli, type ServerProcess, startServerProcess } from '../support/processes.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const REDIRECT_URI = 'http://localhost:8080/cb';

/** Parses the whole of stdout as one JSON value: anything else on stdout makes this throw. */
const jsonOf = (stdout: string): Record<string, unknown> => JSON.parse(stdout);

describe('the portcullis command line on embedded storage', () => {
  let dir: TempDir;
  /** In process: most cases test what a command does, not the process it runs in. */
  const cli = (args: string[]) => runCliInProcess(args, { dataDir: dir.path });
  /**
   * A real `portcullis` process, for what only a process shows: that main.ts wires runCli to
   * argv, stdin, stdout and the exit code, and a CLI beside a running server process.
   */
  const cliProcess = (args: string[], stdin?: string) =>
    runCli(args, { dataDir: dir.path, ...(stdin === undefined ? {} : { stdin }) });

  beforeAll(() => {
    dir = makeTempDir('portcullis-cli-');
  });
  afterAll(() => dir?.remove());

  // First in this file on purpose: the data directory is still empty here.
  it('applies the migrations, then reports the database up to date', async () => {
    const first = await cli(['migrate']);
    expect(first).toMatchObject({ code: 0, stdout: expect.stringMatching(/^applied: \S+/) });
    const second = await cli(['migrate']);
    expect(second).toMatchObject({ code: 0, stdout: 'up to date\n' });
  });

  it('creates a user with a password from stdin and prints one JSON object without secrets', async () => {
    const password = 'a password read from stdin';
    const run = await cliProcess(
      ['users', 'create', '--email', 'a@example.com', '--name', 'A', '--password-stdin', '--json'],
      `${password}\n`,
    );
    expect(run.code).toBe(0);
    const user = jsonOf(run.stdout);
    expect(user).toMatchObject({ email: 'a@example.com', name: 'A', has_password: true });
    expect(user.id).toEqual(expect.any(String));
    expect(user.id).not.toBe('a@example.com');
    expect(Object.keys(user).filter((key) => /password_hash|hash|^password$/.test(key))).toEqual(
      [],
    );
    expect(run.stdout).not.toContain(password);
    expect(run.stdout).not.toContain('$argon2');
  });

  it('users list prints column headers over one row per user', async () => {
    const run = await cli(['users', 'list']);
    expect(run.code).toBe(0);
    const [header, ...rows] = run.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID {2,}EMAIL {2,}NAME {2,}STATUS$/);
    expect(rows).toEqual([expect.stringMatching(/^[\w-]{36} {2,}a@example\.com {2,}A$/)]);
  });

  it('exits 2 with the usage when users create has no --email', async () => {
    const run = await cliProcess(['users', 'create', '--name', 'A', '--json']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('users create needs --email');
    const help = commandHelp(
      COMMANDS.find((spec) => spec.name === 'users create') ?? expect.fail(),
    );
    expect(run.stderr).toContain(help);
    expect(run.stdout).toBe('');
  });

  it('prints the usage on stdout for --help and exits 0', async () => {
    const run = await cliProcess(['--help']);
    expect(run).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: '' });
  });

  describe('clients', () => {
    let created: { client_id: string; client_secret: string };

    beforeAll(async () => {
      const run = await cli([
        'clients',
        'create',
        '--name',
        'my-app',
        '--redirect-uri',
        REDIRECT_URI,
        '--json',
      ]);
      expect(run.code).toBe(0);
      created = jsonOf(run.stdout) as typeof created;
    });

    it('create --json prints exactly the client_id and the client_secret', () => {
      expect(Object.keys(created).sort()).toEqual(['client_id', 'client_secret']);
      expect(created.client_secret).toMatch(/^[\w-]{43}$/);
    });

    it('create --public --json prints no client_secret', async () => {
      const run = await cli([
        'clients',
        'create',
        '--name',
        'spa',
        '--redirect-uri',
        REDIRECT_URI,
        '--public',
        '--json',
      ]);
      expect(run.code).toBe(0);
      expect(Object.keys(jsonOf(run.stdout))).toEqual(['client_id']);
    });

    it('list and show print the client but never its secret or hash', async () => {
      const list = await cli(['clients', 'list', '--json']);
      const show = await cli(['clients', 'show', created.client_id, '--json']);
      expect([list.code, show.code]).toEqual([0, 0]);
      const { clients } = jsonOf(list.stdout) as { clients: Array<{ client_id: string }> };
      expect(clients.map((client) => client.client_id)).toContain(created.client_id);
      expect(jsonOf(show.stdout)).toMatchObject({
        client_id: created.client_id,
        client_name: 'my-app',
        redirect_uris: [REDIRECT_URI],
        public: false,
      });
      const storedHash = createHash('sha256').update(created.client_secret).digest('base64url');
      for (const { stdout } of [list, show]) {
        expect(stdout).not.toContain(created.client_secret);
        expect(stdout).not.toContain(storedHash);
        expect(stdout).not.toContain('sha256:');
        expect(stdout).not.toMatch(/"(client_secret|secret_hash)"/);
      }
    });

    it('takes a client_id that begins with "-" as the id (base64url allows it)', async () => {
      for (const action of ['show', 'delete', 'rotate-secret']) {
        const run = await cli(['clients', action, '-Zx9-client', '--json']);
        expect(run.code).toBe(1);
        expect(run.stderr).toContain('no client with id -Zx9-client');
      }
      const two = await cli(['clients', 'show', created.client_id, 'another']);
      expect(two.code).toBe(2);
    });

    it('rotate-secret --json prints a new secret for the client', async () => {
      const run = await cli(['clients', 'rotate-secret', created.client_id, '--json']);
      expect(run.code).toBe(0);
      const rotated = jsonOf(run.stdout);
      expect(rotated).toEqual({ client_id: created.client_id, client_secret: expect.any(String) });
      expect(rotated.client_secret).not.toBe(created.client_secret);
    });

    it('delete removes the client', async () => {
      const deleted = await cli(['clients', 'delete', created.client_id]);
      expect(deleted.code).toBe(0);
      const show = await cli(['clients', 'show', created.client_id, '--json']);
      expect(show.code).toBe(1);
      expect(show.stderr).toContain(`no client with id ${created.client_id}`);
    });

    it('create takes CORS origins, --require-par and a refresh-token lifetime, and names a bad value by its flag', async () => {
      const run = await cli([
        'clients',
        'create',
        '--name',
        'par-app',
        '--redirect-uri',
        REDIRECT_URI,
        '--allowed-origin',
        'https://app.example.com',
        '--require-par',
        '--refresh-token-ttl',
        '3600',
        '--json',
      ]);
      expect(run.code).toBe(0);
      const show = await cli(['clients', 'show', String(jsonOf(run.stdout).client_id), '--json']);
      expect(jsonOf(show.stdout)).toMatchObject({
        allowed_origins: ['https://app.example.com'],
        require_pushed_authorization_requests: true,
        refresh_token_ttl: 3600,
      });
      const soon = await cli(['clients', 'create', '--name', 'x', '--refresh-token-ttl', 'soon']);
      expect(soon.code).toBe(2);
      expect(soon.stderr).toContain(
        '--refresh-token-ttl needs a whole number of seconds, not soon',
      );
      const bad = await cli([
        'clients',
        'create',
        '--name',
        'bad-origin',
        '--redirect-uri',
        REDIRECT_URI,
        '--allowed-origin',
        'https://*.example.com',
      ]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/--allowed-origin: /);
      expect(bad.stderr).not.toContain('allowedOrigins');
    });

    it('exits 1 and names a bad redirect URI', async () => {
      const run = await cli([
        'clients',
        'create',
        '--name',
        'bad',
        '--redirect-uri',
        'http://example.com/cb',
        '--json',
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('--redirect-uri: http://example.com/cb must use https');
      expect(run.stderr).not.toContain('redirectUris');
      expect(run.stdout).toBe('');
    });
  });

  it('exits 2 with the usage for an unknown command', async () => {
    const run = await cli(['frobnicate']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command: frobnicate');
    expect(run.stderr).toContain(USAGE);
  });

  describe('while the server runs on the same data directory', () => {
    let server: ServerProcess;

    beforeAll(async () => {
      server = await startServerProcess(dir.path);
    });
    afterAll(() => server?.stop('SIGKILL'));

    it('creates a client the running server knows at once', async () => {
      const run = await cliProcess([
        'clients',
        'create',
        '--name',
        'live',
        '--redirect-uri',
        REDIRECT_URI,
        '--json',
      ]);
      expect(run.code).toBe(0);
      const { client_id: clientId } = jsonOf(run.stdout);

      const authorize = new URL('/auth', server.url);
      authorize.search = new URLSearchParams({
        client_id: String(clientId),
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope: 'openid',
        code_challenge: randomBytes(32).toString('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      const response = await fetch(authorize, { redirect: 'manual' });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toMatch(/\/interaction\/[\w-]+$/);
    });

    it('exits 0 on SIGTERM', async () => {
      const { code } = await server.stop('SIGTERM');
      expect(code).toBe(0);
    });
  });
});
