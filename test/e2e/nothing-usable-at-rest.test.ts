import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedId } from '../../src/storage/oidc-hashed-ids.ts';
import { serverBackends } from '../support/backends.ts';
import {
  discover,
  REDIRECT_URI,
  redeem,
  requestClientCredentials,
  signIn,
} from '../support/flow.ts';
import { runCli, type ServerProcess, startServerProcess } from '../support/processes.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { filesUnder, foundIn, redisEntriesAsText, sqlRowsAsText } from '../support/stored-text.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

/** A value the server handed out that grants something to whoever presents it. */
interface Issued {
  name: string;
  value: string;
}

interface Clients {
  app: { clientId: string; clientSecret?: string };
  service: { clientId: string; clientSecret?: string };
}

/**
 * A full flow over HTTP, as clients and a browser run it: authorization code with PKCE and
 * offline_access (a session, an interaction, a code, access and refresh tokens), a refresh, a
 * second authorization on the same session, and a client-credentials token. Returns every bearer
 * value handed out, the cookies that carry a session or an interaction among them.
 */
async function fullFlow(
  issuer: string,
  clients: Clients,
  user: { email: string; password: string },
): Promise<Issued[]> {
  const config = await discover({ issuer }, clients.app.clientId, clients.app.clientSecret);
  const signedIn = await signIn(config, user);
  const tokens = await redeem(config, signedIn);
  const refreshed = await oidc.refreshTokenGrant(config, String(tokens.refresh_token));
  // The session is found again by its cookie.
  const again = await signIn(config, user, { browser: signedIn.browser });
  const service = await requestClientCredentials({ issuer }, clients.service);
  expect(service.status).toBe(200);
  const { access_token: serviceToken } = (await service.json()) as { access_token: string };
  const cookies = signedIn.browser.setCookieLines
    .map((line) => /^(_session|_interaction|_interaction_resume)=([^;]+)/.exec(line))
    .flatMap((match) => (match?.[1] && match[2] ? [{ name: match[1], value: match[2] }] : []));
  const issued: Issued[] = [
    { name: 'code', value: String(signedIn.callbackUrl.searchParams.get('code')) },
    { name: 'second code', value: String(again.callbackUrl.searchParams.get('code')) },
    { name: 'access token', value: tokens.access_token },
    { name: 'refresh token', value: String(tokens.refresh_token) },
    { name: 'refreshed access token', value: refreshed.access_token },
    { name: 'refreshed refresh token', value: String(refreshed.refresh_token) },
    { name: 'client-credentials token', value: serviceToken },
    ...cookies.map((cookie) => ({ name: `${cookie.name} cookie`, value: cookie.value })),
  ];
  // Each is a long random value, so finding it anywhere is no coincidence.
  for (const { value } of issued) expect(value.length).toBeGreaterThanOrEqual(21);
  expect(new Set(cookies.map((cookie) => cookie.name))).toEqual(
    new Set(['_session', '_interaction', '_interaction_resume']),
  );
  return issued;
}

describe.each(serverBackends)('nothing usable stored after a full flow on $name', (backend) => {
  let server: TestServer;
  let issued: Issued[];
  let email: string;

  beforeAll(async () => {
    server = await startTestServer(backend);
    const user = await server.createUser();
    email = user.email;
    const clients: Clients = {
      app: await server.createClient({ grantTypes: ['authorization_code', 'refresh_token'] }),
      service: await server.createClient({
        name: 'Service',
        redirectUris: [],
        grantTypes: ['client_credentials'],
      }),
    };
    issued = await fullFlow(server.issuer, clients, user);
  });
  afterAll(() => server?.close());

  it('no row of any table holds a token, a code or a session id', async () => {
    const rows = await sqlRowsAsText(server.portcullis.database.db);
    // The scan reads what is stored: the user's row, and the hashes the entries are kept under.
    expect(rows.some((row) => row.includes(email))).toBe(true);
    const refreshToken = issued.find(({ name }) => name === 'refreshed refresh token');
    expect(rows.some((row) => row.includes(storedId(String(refreshToken?.value))))).toBe(true);
    expect(foundIn(rows, issued)).toEqual([]);
  });

  it.skipIf(backend.redisUrl === undefined)(
    'no Redis key or value holds a token, a code or a session id',
    async () => {
      const entries = await redisEntriesAsText(server.redis as NonNullable<TestServer['redis']>);
      // The session in force is the last one set (signing in gives the session a new id).
      const session = issued.filter(({ name }) => name === '_session cookie').at(-1);
      expect(entries.some((entry) => entry.includes(storedId(String(session?.value))))).toBe(true);
      expect(foundIn(entries, issued)).toEqual([]);
    },
  );
});

// A new embedded database is unpacked and migrated first: a minute on a busy machine.
const START_TIMEOUT_MS = 120_000;

/** The paths, relative to the data directory, that a user other than its owner could use. */
const openToOthers = (dir: string) =>
  filesUnder(dir)
    .filter(({ mode }) => (mode & 0o077) !== 0)
    .map(({ path, mode }) => `${path} ${(mode & 0o777).toString(8)}`);

describe('the embedded data directory of a server process', () => {
  let temp: TempDir;
  beforeAll(() => {
    temp = makeTempDir('portcullis-at-rest-');
  });
  afterAll(() => temp?.remove());

  const cliJson = async (dataDir: string, args: string[], stdin?: string) => {
    const run = await runCli([...args, '--json'], { dataDir, ...(stdin ? { stdin } : {}) });
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as Record<string, string>;
  };

  it(
    'is private to its user under umask 000, and no file in it holds a token, a code or a session id',
    async () => {
      const dataDir = join(temp.path, 'fresh', 'data');
      const server: ServerProcess = await startServerProcess(dataDir, {
        umask: '000',
        timeoutMs: START_TIMEOUT_MS,
      });
      let issued: Issued[];
      const email = 'at-rest@example.com';
      try {
        expect(openToOthers(dataDir)).toEqual([]);
        const password = 'a long enough password for at rest';
        await cliJson(dataDir, ['users', 'create', '--email', email, '--password-stdin'], password);
        const app = await cliJson(dataDir, [
          'clients',
          'create',
          '--name',
          'app',
          '--redirect-uri',
          REDIRECT_URI,
          '--grant-types',
          'authorization_code,refresh_token',
        ]);
        const service = await cliJson(dataDir, [
          'clients',
          'create',
          '--name',
          'service',
          '--grant-types',
          'client_credentials',
        ]);
        issued = await fullFlow(
          server.url,
          {
            app: { clientId: String(app.client_id), clientSecret: String(app.client_secret) },
            service: {
              clientId: String(service.client_id),
              clientSecret: String(service.client_secret),
            },
          },
          { email, password },
        );
        // Files created while serving (new WAL segments, the socket) are private too.
        expect(openToOthers(dataDir)).toEqual([]);
      } finally {
        expect((await server.stop()).code).toBe(0);
      }
      expect(openToOthers(dataDir)).toEqual([]);
      const files = filesUnder(dataDir).flatMap(({ bytes }) => (bytes ? [bytes] : []));
      // The scan reads the data files: the user's email is there, in the accounts table.
      expect(files.some((bytes) => bytes.includes(email))).toBe(true);
      expect(foundIn(files, issued)).toEqual([]);
    },
    4 * START_TIMEOUT_MS,
  );

  it(
    'closes a data directory an earlier start left open to others, and says so',
    async () => {
      const dataDir = join(temp.path, 'loose');
      mkdirSync(join(dataDir, 'pglite-notes'), { recursive: true });
      writeFileSync(join(dataDir, 'pglite-notes', 'left-open'), 'anything');
      chmodSync(join(dataDir, 'pglite-notes', 'left-open'), 0o666);
      chmodSync(join(dataDir, 'pglite-notes'), 0o777);
      chmodSync(dataDir, 0o755);
      expect(openToOthers(dataDir)).toHaveLength(3);

      const server = await startServerProcess(dataDir, {
        umask: '000',
        env: { LOG_LEVEL: 'warn' },
        timeoutMs: START_TIMEOUT_MS,
      });
      expect(openToOthers(dataDir)).toEqual([]);
      const { code, stdout } = await server.stop();
      expect(code).toBe(0);
      const warning = stdout
        .split('\n')
        .filter((line) => line.includes('open to other users'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(warning).toEqual([expect.objectContaining({ level: 40, directory: true, files: 2 })]);
    },
    2 * START_TIMEOUT_MS,
  );
});
