import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.ts';
import type { AuditEventRow } from '../../src/storage/audit.repository.ts';
import { serverBackends } from '../support/backends.ts';
import { Browser, findForm, type Page } from '../support/browser.ts';
import {
  authorizationRequest,
  CONSENT_FORM,
  discover,
  LOGIN_FORM,
  REDIRECT_URI,
  requestClientCredentials,
  signInForTokens,
} from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import type { TestClient, TestServer, TestUser } from '../support/server.ts';

const ABORT_FORM = /\/interaction\/[^/]+\/abort$/;
const END_SESSION_CONFIRM = /\/session\/end\/confirm$/;
const POST_LOGOUT_REDIRECT_URI = 'http://localhost:8080/signed-out';
const LOGIN_LIMITS = { maxFailures: 3, maxFailuresPerIp: 1000, lockoutSeconds: 60 };
const CLIENT_LIMITS = { maxFailures: 2, maxFailuresPerIp: 1000, lockoutSeconds: 60 };

describe.each(serverBackends)('the audit log of a server on $name storage', (backend) => {
  let server: TestServer;
  let config: oidc.Configuration;
  let user: TestUser;
  let client: TestClient;
  /** Every password, code, token, secret and cookie value the flows below saw. */
  const secrets = new Set<string>();
  /** What the server logs at error level. */
  const logLines: string[] = [];

  beforeAll(async () => {
    ({ server, config, user, client } = await startFlowFixture(backend, {
      overrides: { loginThrottle: LOGIN_LIMITS, clientAuthThrottle: CLIENT_LIMITS },
      start: { logger: createLogger('error', { write: (line: string) => logLines.push(line) }) },
      client: {
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        postLogoutRedirectUris: [POST_LOGOUT_REDIRECT_URI],
      },
    }));
    secrets.add(user.password);
    secrets.add(String(client.clientSecret));
  });
  afterAll(() => server?.close());

  /** The events written so far that match, oldest first. */
  async function events(filter: { account?: string; client?: string; type?: string } = {}) {
    await server.portcullis.audit.settled();
    const rows = await server.portcullis.audit.list({ ...filter, limit: 10_000 });
    return rows.reverse();
  }
  const typesOf = (rows: AuditEventRow[]) => rows.map((row) => row.type);

  /** A sign-in through the pages and a code exchange, keeping every value it saw. */
  async function signedIn(
    browser = new Browser([REDIRECT_URI, POST_LOGOUT_REDIRECT_URI]),
    scope?: string,
  ) {
    const flow = await signInForTokens(config, user, { browser, ...(scope ? { scope } : {}) });
    keep(flow.callbackUrl.searchParams.get('code'));
    keep(flow.tokens.access_token, flow.tokens.refresh_token, flow.tokens.id_token);
    keepCookies(browser);
    return flow;
  }
  const keep = (...values: Array<string | null | undefined>) => {
    for (const value of values) if (value) secrets.add(value);
  };
  const keepCookies = (browser: Browser) => {
    for (const cookie of browser.cookies.values()) keep(cookie.value);
  };

  it('records a sign-in, the consent, and the tokens issued, refreshed and revoked', async () => {
    const { tokens } = await signedIn();
    const refreshed = await oidc.refreshTokenGrant(config, String(tokens.refresh_token));
    keep(refreshed.access_token, refreshed.refresh_token, refreshed.id_token);
    await oidc.tokenRevocation(config, String(refreshed.refresh_token));

    const rows = await events({ account: user.id });
    expect(typesOf(rows)).toEqual([
      'login.succeeded',
      'consent.granted',
      'token.issued',
      'token.refreshed',
      'token.revoked',
      'consent.withdrawn',
    ]);
    const [login, consent, issued, refresh, revoked, withdrawn] = rows;
    expect(login).toMatchObject({
      actor: 'user',
      account_id: user.id,
      client_id: client.clientId,
      ip: expect.stringMatching(/127\.0\.0\.1$/),
      user_agent: expect.any(String),
    });
    expect(login?.created_at).toBeInstanceOf(Date);
    expect(consent).toMatchObject({
      actor: 'user',
      client_id: client.clientId,
      data: { scopes: expect.arrayContaining(['openid', 'email', 'offline_access']) },
    });
    expect(issued).toMatchObject({
      actor: 'client',
      client_id: client.clientId,
      data: {
        grant_type: 'authorization_code',
        issued: ['access_token', 'refresh_token', 'id_token'],
      },
    });
    expect(refresh).toMatchObject({ actor: 'client', data: { grant_type: 'refresh_token' } });
    expect(revoked).toMatchObject({
      actor: 'client',
      client_id: client.clientId,
      data: { token_type: 'refresh_token' },
    });
    expect(withdrawn).toMatchObject({ client_id: client.clientId, data: { via: 'revocation' } });
  });

  it('records a refresh token used twice as reuse, and the grant it ends', async () => {
    const { tokens } = await signedIn();
    const before = (await events({ account: user.id })).length;
    keep((await oidc.refreshTokenGrant(config, String(tokens.refresh_token))).refresh_token);
    await expect(
      oidc.refreshTokenGrant(config, String(tokens.refresh_token)),
    ).rejects.toMatchObject({ error: 'invalid_grant' });

    const rows = (await events({ account: user.id })).slice(before);
    // oidc-provider revokes the grant before it answers invalid_grant (and says why).
    expect(typesOf(rows)).toEqual([
      'token.refreshed',
      'consent.withdrawn',
      'refresh_token.reuse_detected',
    ]);
    expect(rows[1]).toMatchObject({ actor: 'client', data: { via: 'token' } });
    expect(rows[2]).toMatchObject({ actor: 'client', client_id: client.clientId });
  });

  it('records failed sign-ins with the account of the address typed, then the lockout', async () => {
    const victim = await server.createUser();
    secrets.add(victim.password);
    const browser = new Browser([REDIRECT_URI]);
    let page = await loginPage(browser);
    const wrong = ['wrong one', 'wrong two', 'wrong three', victim.password];
    for (const password of wrong) {
      keep(password);
      page = await browser.submit(page, LOGIN_FORM, { email: victim.email, password });
    }
    expect(page.status).toBe(429);
    page = await browser.submit(page, LOGIN_FORM, {
      email: 'nobody@example.com',
      password: 'not a known account',
    });
    keep('not a known account');
    keepCookies(browser);

    expect(typesOf(await events({ account: victim.id }))).toEqual([
      'login.failed',
      'login.failed',
      'login.failed',
      'login.locked_out',
    ]);
    const [locked] = await events({ account: victim.id, type: 'login.locked_out' });
    expect(locked).toMatchObject({
      actor: 'user',
      client_id: client.clientId,
      data: { retry_after_seconds: expect.any(Number) },
    });
    const unknown = (await events({ type: 'login.failed' })).at(-1);
    expect(unknown).toMatchObject({ account_id: null, client_id: client.clientId });
  });

  it('records consent denied at the consent page', async () => {
    const other = await server.createUser();
    const browser = new Browser([REDIRECT_URI]);
    const login = await loginPage(browser);
    const consentPage = await browser.submit(login, LOGIN_FORM, {
      email: other.email,
      password: other.password,
    });
    expect(findForm(consentPage.body, CONSENT_FORM)).toBeDefined();
    await browser.submit(consentPage, ABORT_FORM);
    keepCookies(browser);

    expect(typesOf(await events({ account: other.id }))).toEqual([
      'login.succeeded',
      'consent.denied',
    ]);
  });

  it('records the scopes a first-party client gains without a consent page, once', async () => {
    const own = await server.createClient({ name: 'Our Own App', firstParty: true });
    secrets.add(String(own.clientSecret));
    const ownConfig = await discover(server, own.clientId, own.clientSecret);
    // One browser: its session keeps the grant, which gains only what it did not hold.
    const browser = new Browser([REDIRECT_URI]);
    for (const [scope, prompt] of [
      ['openid email', 'login'],
      ['openid email', 'none'],
      ['openid email profile', 'none'],
    ] as const) {
      const { tokens } = await signInForTokens(ownConfig, user, {
        browser,
        scope,
        extra: { prompt },
      });
      keep(tokens.access_token, tokens.id_token);
    }
    keepCookies(browser);

    const rows = await events({ client: own.clientId, type: 'consent.granted' });
    expect(rows.map((row) => row.data)).toEqual([
      { scopes: ['openid', 'email'], first_party: true },
      { scopes: ['profile'], first_party: true },
    ]);
    expect(rows[0]).toMatchObject({ actor: 'user', account_id: user.id });
  });

  it('records a logout, and the grant it ends', async () => {
    const browser = new Browser([REDIRECT_URI, POST_LOGOUT_REDIRECT_URI]);
    // Without offline_access: a grant with refresh tokens outlives the logout, by design.
    const { tokens } = await signedIn(browser, 'openid email');
    const before = (await events({ account: user.id })).length;
    const endSession = oidc.buildEndSessionUrl(config, {
      id_token_hint: String(tokens.id_token),
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
    });
    const confirmation = await browser.get(endSession.toString());
    await browser.submit(confirmation, END_SESSION_CONFIRM, { logout: 'yes' });

    const rows = (await events({ account: user.id })).slice(before);
    expect(typesOf(rows)).toEqual(['consent.withdrawn', 'logout']);
    expect(rows[0]).toMatchObject({ actor: 'user', client_id: null });
    expect(rows[1]).toMatchObject({ actor: 'user', client_id: client.clientId });
  });

  it('records client credentials issued and revoked, and failed client authentications up to the lockout', async () => {
    const issued = await requestClientCredentials(server, client);
    expect(issued.status).toBe(200);
    const { access_token: token } = (await issued.json()) as { access_token: string };
    keep(token);
    await oidc.tokenRevocation(config, token);
    const wrong = { clientId: client.clientId, clientSecret: 'not-the-secret' };
    const answers: number[] = [];
    for (let i = 0; i < 3; i += 1)
      answers.push((await requestClientCredentials(server, wrong)).status);
    expect(answers).toEqual([401, 401, 429]);

    const rows = (await events({ client: client.clientId })).filter(
      (row) => row.account_id === null,
    );
    expect(typesOf(rows).slice(-5)).toEqual([
      'token.issued',
      'token.revoked',
      'client_auth.failed',
      'client_auth.failed',
      'client_auth.locked_out',
    ]);
    expect(rows.at(-5)).toMatchObject({ data: { grant_type: 'client_credentials' } });
    expect(rows.at(-4)).toMatchObject({ data: { token_type: 'client_credentials' } });
    expect(rows.at(-1)).toMatchObject({ actor: 'client', data: { endpoint: 'token' } });
  });

  it('answers a request whose audit write fails as usual, and logs the failure', async () => {
    const db = server.portcullis.database.db;
    await server.portcullis.audit.settled();
    const before = logLines.length;
    await sql`alter table audit_events rename to audit_events_away`.execute(db);
    try {
      const { tokens } = await signedIn();
      expect(tokens.access_token).toEqual(expect.any(String));
      await server.portcullis.audit.settled();
    } finally {
      await sql`alter table audit_events_away rename to audit_events`.execute(db);
    }
    const failures = logLines.slice(before).filter((line) => line.includes('writing audit events'));
    expect(failures.length).toBeGreaterThan(0);
    expect(failures[0]).toContain('login.succeeded');
  });

  it('holds no password, code, token, client secret or cookie value in any row or log line', async () => {
    const rows = await events();
    expect(rows.length).toBeGreaterThan(25);
    const text = JSON.stringify(rows) + logLines.join('\n');
    expect(secrets.size).toBeGreaterThan(20);
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  async function loginPage(browser: Browser): Promise<Page> {
    const { url } = await authorizationRequest(config, { prompt: 'consent' });
    const page = await browser.get(url.toString());
    if (!findForm(page.body, LOGIN_FORM)) throw new Error(`no login form at ${page.url}`);
    return page;
  }
});
