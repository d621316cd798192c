import * as oidc from 'openid-client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { discover, signInForTokens } from '../support/flow.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const postgresBackends = serverBackends.filter((backend) => backend.name !== 'embedded');

/**
 * Records the texts of the statements sent to Postgres while `during` runs that touch the tables
 * a refresh reads and writes (background work, such as the key watcher, reads others). Installed
 * before the server starts: the pool binds each connection's query method when it first hands
 * the connection out.
 */
function statementRecorder() {
  const query = pg.Client.prototype.query;
  let sent: string[] | undefined;
  pg.Client.prototype.query = function recorded(this: pg.Client, ...args: unknown[]) {
    const [first] = args;
    const text = typeof first === 'string' ? first : (first as { text?: string })?.text;
    if (sent && text && /oidc_payloads|accounts|clients/.test(text)) sent.push(text);
    return (query as (...args: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  return {
    async during(action: () => Promise<unknown>): Promise<string[]> {
      const texts: string[] = [];
      sent = texts;
      try {
        await action();
      } finally {
        sent = undefined;
      }
      return texts;
    },
    uninstall() {
      pg.Client.prototype.query = query;
    },
  };
}

/**
 * The storage fast path of a refresh (docs/STORAGE.md): the token read with its grant and its
 * account in one statement, the consumption, and the new tokens stored together at the end.
 */
// Without TEST_DATABASE_URL there is no Postgres to count statements on: the file says so with a
// skipped test rather than holding no test at all, which vitest counts as a failed file.
if (postgresBackends.length === 0) {
  describe('statements of one refresh', () => {
    it.skip('needs TEST_DATABASE_URL: Postgres counts the statements', () => {});
  });
}

describe.each(postgresBackends)('statements of one refresh on $name storage', (backend) => {
  let server: TestServer;
  let config: oidc.Configuration;
  let refreshToken: string;
  let recorder: ReturnType<typeof statementRecorder>;

  beforeAll(async () => {
    recorder = statementRecorder();
    server = await startTestServer(backend);
    const user = await server.createUser();
    const app = await server.createClient({ grantTypes: ['authorization_code', 'refresh_token'] });
    config = await discover(server, app.clientId, app.clientSecret);
    const { tokens } = await signInForTokens(config, user);
    // A first refresh, so that the client is in the cache (its lookup is not the point here).
    const warm = await oidc.refreshTokenGrant(config, String(tokens.refresh_token));
    refreshToken = String(warm.refresh_token);
  });
  afterAll(async () => {
    recorder?.uninstall();
    await server?.close();
  });

  it('reads the token with its grant and account, consumes it and stores the new tokens: three', async () => {
    let refreshed: oidc.TokenEndpointResponse | undefined;
    const statements = await recorder.during(async () => {
      refreshed = await oidc.refreshTokenGrant(config, refreshToken);
    });
    expect(refreshed?.access_token).toBeTruthy();
    expect(statements).toEqual([
      expect.stringMatching(/left join accounts/),
      expect.stringMatching(/update oidc_payloads/),
      expect.stringMatching(/insert into oidc_payloads/),
    ]);
  });
});
