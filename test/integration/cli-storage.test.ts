import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/backends.ts';
import { runCliInProcess } from '../support/cli.ts';
import { type ServerProcess, startServerProcess } from '../support/processes.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

/** A server process starts in seconds, but in a minute or more on a loaded machine. */
const SERVER_START_MS = 180_000;

const FOREIGN_SERVER =
  /warning: a Portcullis server answers on port \d+ \(issuer http:\/\/\S+\), but it does not use the embedded store at /;

/** The storage every command names on stderr, as its first line. */
const storageLineOf = (stderr: string) => stderr.split('\n')[0];

describe.each(sqlBackends)('the storage a command names on $name storage', (backend) => {
  let dir: TempDir;
  let databaseUrl: string | undefined;
  let drop: () => Promise<void> = async () => {};

  beforeAll(async () => {
    dir = makeTempDir('portcullis-cli-storage-');
    if (backend.name !== 'embedded') {
      const database = await backend.create();
      await database.handle.close();
      databaseUrl = database.url;
      drop = database.drop;
    }
  });
  afterAll(async () => {
    await drop();
    dir?.remove();
  });

  it('is stated on stderr by every command that opens storage, never with a password', async () => {
    let env: Record<string, string> = {};
    let expected = `storage: embedded at ${dir.path}`;
    if (databaseUrl) {
      // Trust authentication ignores the password: it is there to be left out of the line.
      const url = new URL(databaseUrl);
      url.password = 'not-this-password';
      env = { DATABASE_URL: url.toString() };
      expected = `storage: Postgres at ${url.hostname}:${url.port || 5432}, database ${url.pathname.slice(1)}`;
    }
    for (const args of [['migrate'], ['users', 'list'], ['keys', 'list', '--json']]) {
      const run = await runCliInProcess(args, { dataDir: dir.path, env });
      expect(run.code, args.join(' ')).toBe(0);
      expect(storageLineOf(run.stderr)).toBe(expected);
      expect(run.stderr).not.toContain('not-this-password');
      expect(run.stdout).not.toContain('storage:');
    }
  });
});

describe.each(sqlBackends)(
  'a write to embedded storage beside a server on $name storage',
  (backend) => {
    let serverDir: TempDir;
    let cliDir: TempDir;
    let server: ServerProcess;
    let port: string;
    let drop: () => Promise<void> = async () => {};
    /** The CLI on a data directory of its own, configured with the server's port. */
    const elsewhere = (args: string[]) =>
      runCliInProcess(args, { dataDir: cliDir.path, env: { PORT: port } });

    beforeAll(async () => {
      serverDir = makeTempDir('portcullis-cli-server-');
      cliDir = makeTempDir('portcullis-cli-other-');
      const env: Record<string, string> = {};
      if (backend.name !== 'embedded') {
        const database = await backend.create();
        await database.handle.close();
        env.DATABASE_URL = String(database.url);
        drop = database.drop;
      }
      server = await startServerProcess(serverDir.path, { env, timeoutMs: SERVER_START_MS });
      port = new URL(server.url).port;
    }, SERVER_START_MS);
    afterAll(async () => {
      await server?.stop('SIGKILL');
      await drop();
      serverDir?.remove();
      cliDir?.remove();
    });

    it('warns that the server answering on the configured port will not see the change', async () => {
      const run = await elsewhere(['users', 'create', '--email', 'lost@example.com']);
      expect(run.code).toBe(0);
      expect(storageLineOf(run.stderr)).toBe(`storage: embedded at ${cliDir.path}`);
      expect(run.stderr).toMatch(FOREIGN_SERVER);
      expect(run.stderr).toContain('DATABASE_URL');
    });

    it('does not warn for a command that only reads', async () => {
      const run = await elsewhere(['users', 'list']);
      expect(run.code).toBe(0);
      expect(run.stderr).not.toMatch(FOREIGN_SERVER);
    });

    it('does not warn when nothing answers on the configured port', async () => {
      const stopped = await runCliInProcess(['users', 'create', '--email', 'calm@example.com'], {
        dataDir: cliDir.path,
        env: { PORT: '9' },
      });
      expect(stopped.code).toBe(0);
      expect(stopped.stderr).not.toMatch(FOREIGN_SERVER);
    });
  },
);

describe('a write through the socket of the server on the same data directory', () => {
  let dir: TempDir;
  let server: ServerProcess;

  beforeAll(async () => {
    dir = makeTempDir('portcullis-cli-shared-');
    server = await startServerProcess(dir.path, { timeoutMs: SERVER_START_MS });
  }, SERVER_START_MS);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    dir?.remove();
  });

  it('names the shared data directory and does not warn: the server sees the change', async () => {
    const port = new URL(server.url).port;
    const run = await runCliInProcess(['users', 'create', '--email', 'seen@example.com'], {
      dataDir: dir.path,
      env: { PORT: port },
    });
    expect(run.code).toBe(0);
    expect(storageLineOf(run.stderr)).toBe(`storage: embedded at ${dir.path}`);
    expect(run.stderr).not.toMatch(FOREIGN_SERVER);
  });
});
