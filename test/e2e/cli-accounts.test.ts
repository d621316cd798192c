import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRedis, serverBackends, type TestRedis } from '../support/backends.ts';
import { Browser, findForm, type Page } from '../support/browser.ts';
import { runCliInProcess } from '../support/cli.ts';
import {
  authorizationRequest,
  discover,
  LOGIN_FORM,
  REDIRECT_URI,
  signInForTokens,
} from '../support/flow.ts';
import { freePort, type ServerProcess, startServerProcess } from '../support/processes.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const MAX_FAILURES = 3;
/** A server process starts in seconds, but in a minute or more on a loaded machine. */
const SERVER_START_MS = 180_000;
const FIRST_PASSWORD = 'a first long passphrase';
const NEW_PASSWORD = 'a second long passphrase';

/**
 * `users set-password` and `users unlock` against a real server process, on each backend: the
 * CLI runs with the server's configuration (through its socket on embedded storage, on the same
 * Postgres and Redis otherwise), and a person signs in over HTTP with openid-client.
 */
describe.each(serverBackends)('users set-password and unlock on $name storage', (backend) => {
  let dir: TempDir;
  let server: ServerProcess;
  let redis: TestRedis | undefined;
  let drop: () => Promise<void> = async () => {};
  let env: Record<string, string>;
  let config: oidc.Configuration;
  const email = 'bob@example.com';
  const cli = (args: string[], stdin?: string) =>
    runCliInProcess(args, { dataDir: dir.path, env, ...(stdin === undefined ? {} : { stdin }) });

  beforeAll(async () => {
    dir = makeTempDir('portcullis-cli-accounts-');
    const port = await freePort();
    env = {
      PORTCULLIS_ISSUER: `http://127.0.0.1:${port}`,
      PORTCULLIS_LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      PORTCULLIS_LOGIN_LOCKOUT_SECONDS: '600',
    };
    if (backend.name !== 'embedded') {
      const database = await backend.create();
      await database.handle.close();
      env.DATABASE_URL = String(database.url);
      drop = database.drop;
    }
    if (backend.redisUrl) {
      redis = await createTestRedis(backend.redisUrl);
      env.REDIS_URL = redis.url;
      env.REDIS_KEY_PREFIX = redis.prefix;
    }
    server = await startServerProcess(dir.path, { env, port, timeoutMs: SERVER_START_MS });
    const created = await cli([
      'clients',
      'create',
      '--name',
      'app',
      '--redirect-uri',
      REDIRECT_URI,
      '--json',
    ]);
    expect(created.code).toBe(0);
    const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
    config = await discover(
      { issuer: env.PORTCULLIS_ISSUER ?? '' },
      client.client_id,
      client.client_secret,
    );
  }, SERVER_START_MS);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await redis?.drop();
    await drop();
    dir?.remove();
  });

  async function loginPage(browser = new Browser([REDIRECT_URI])): Promise<[Browser, Page]> {
    const { url } = await authorizationRequest(config);
    const page = await browser.get(url.toString());
    return [browser, page];
  }

  /** The status the login form answers with for this password. */
  async function tryPassword(password: string): Promise<number> {
    const [browser, page] = await loginPage();
    return (await browser.submit(page, LOGIN_FORM, { email, password })).status;
  }

  it('a user created without a password is told about set-password, which gives them one', async () => {
    const created = await cli(['users', 'create', '--email', email]);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain(`portcullis users set-password ${email} --password-stdin`);

    const set = await cli(
      ['users', 'set-password', email, '--password-stdin', '--json'],
      `${FIRST_PASSWORD}\n`,
    );
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      email,
      password_set: true,
      sessions_ended: true,
    });
    expect(set.stdout + set.stderr).not.toContain(FIRST_PASSWORD);

    const { tokens } = await signInForTokens(config, { email, password: FIRST_PASSWORD });
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('refuses a password that breaks the rules of users create, naming the flag', async () => {
    const short = await cli(['users', 'set-password', email, '--password-stdin'], 'too short\n');
    expect(short).toMatchObject({ code: 1, stdout: '' });
    expect(short.stderr).toContain('--password-stdin: must be at least 12 characters');
    const common = await cli(
      ['users', 'set-password', email, '--password-stdin'],
      '1q2w3e4r5t6y\n',
    );
    expect(common.code).toBe(1);
    expect(common.stderr).toContain('--password-stdin: is one of the most common passwords');
    const none = await cli(['users', 'set-password', email, '--password-stdin'], '');
    expect(none.code).toBe(2);
    const unknown = await cli(
      ['users', 'set-password', 'nobody@example.com', '--password-stdin'],
      `${NEW_PASSWORD}\n`,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no user with id or email nobody@example.com');
  });

  it('a new password ends the sessions and grants of the old one, and signs in', async () => {
    const signedIn = await signInForTokens(config, { email, password: FIRST_PASSWORD });
    const refreshToken = String(signedIn.tokens.refresh_token);

    const set = await cli(
      ['users', 'set-password', email, '--password-stdin'],
      `${NEW_PASSWORD}\n`,
    );
    expect(set.code).toBe(0);
    expect(set.stdout).toContain('their sessions and grants are ended');

    // The browser's session is gone: the same browser is asked to sign in again.
    const [, page] = await loginPage(signedIn.browser);
    expect(findForm(page.body, LOGIN_FORM)).toBeTruthy();
    await expect(oidc.refreshTokenGrant(config, refreshToken)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect(await tryPassword(FIRST_PASSWORD)).toBe(401);
    const { tokens } = await signInForTokens(config, { email, password: NEW_PASSWORD });
    expect(tokens.access_token).toEqual(expect.any(String));
  });

  it('users unlock lifts a sign-in lockout at once; the right password then signs in', async () => {
    for (let failure = 0; failure < MAX_FAILURES; failure++) {
      expect(await tryPassword('not the password at all')).toBe(401);
    }
    expect(await tryPassword(NEW_PASSWORD)).toBe(429);

    const unlock = await cli(['users', 'unlock', email.toUpperCase(), '--json']);
    expect(unlock.code).toBe(0);
    const report = JSON.parse(unlock.stdout) as { was_locked_out: boolean; seconds_left: number };
    expect(report.was_locked_out).toBe(true);
    expect(report.seconds_left).toBeGreaterThan(500);

    const { tokens } = await signInForTokens(config, { email, password: NEW_PASSWORD });
    expect(tokens.access_token).toEqual(expect.any(String));
    const again = await cli(['users', 'unlock', email]);
    expect(again).toMatchObject({
      code: 0,
      stdout: `${email} was not locked out; nothing to lift\n`,
    });
  });
});
