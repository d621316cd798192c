import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { Browser, findForm } from '../support/browser.ts';
import {
  authorizationRequest,
  CONSENT_FORM,
  LOGIN_FORM,
  REDIRECT_URI,
  redeem,
  signInForTokens,
} from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import type { TestServer } from '../support/server.ts';

describe.each(serverBackends)('disabled accounts on $name storage', (backend) => {
  let server: TestServer;
  let config: oidc.Configuration;

  beforeAll(async () => {
    ({ server, config } = await startFlowFixture(backend));
  });
  afterAll(() => server?.close());

  async function attemptLogin(email: string, password: string) {
    const browser = new Browser([REDIRECT_URI]);
    const { url } = await authorizationRequest(config);
    const loginPage = await browser.get(url.toString());
    return browser.submit(loginPage, LOGIN_FORM, { email, password });
  }

  it('refuses to sign in a disabled account with the same answer as a wrong password', async () => {
    const user = await server.createUser();
    await server.accounts.setDisabled(user.id, true);

    const disabled = await attemptLogin(user.email, user.password);
    const wrongPassword = await attemptLogin(user.email, 'not the password');

    expect(disabled.status).toBe(401);
    expect(disabled.body).toContain('Incorrect email or password.');
    expect(disabled.url).toMatch(LOGIN_FORM);
    expect(wrongPassword.status).toBe(disabled.status);
    const alert = (body: string) => /<div class="alert"[^>]*>([^<]*)<\/div>/.exec(body)?.[1];
    expect(alert(disabled.body)).toBe(alert(wrongPassword.body));
  });

  it('lets the account sign in again once it is re-enabled', async () => {
    const user = await server.createUser();
    await server.accounts.setDisabled(user.id, true);
    await server.accounts.setDisabled(user.id, false);

    const { tokens } = await signInForTokens(config, user);

    expect(tokens.claims()?.sub).toBe(user.id);
  });

  it('stops refresh tokens issued before the account was disabled', async () => {
    const user = await server.createUser();
    const { tokens } = await signInForTokens(config, user);

    await server.accounts.setDisabled(user.id, true);

    await expect(
      oidc.refreshTokenGrant(config, String(tokens.refresh_token)),
    ).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('refuses userinfo with an access token issued before the account was disabled', async () => {
    const user = await server.createUser();
    const { tokens } = await signInForTokens(config, user);
    await expect(oidc.fetchUserInfo(config, tokens.access_token, user.id)).resolves.toMatchObject({
      sub: user.id,
    });

    await server.accounts.setDisabled(user.id, true);

    await expect(oidc.fetchUserInfo(config, tokens.access_token, user.id)).rejects.toMatchObject({
      status: 401,
      cause: [{ parameters: { error: 'invalid_token' } }],
    });
  });

  it('revokes its tokens and sessions: introspection says inactive, and enabling revives none', async () => {
    const user = await server.createUser();
    const { browser, tokens } = await signInForTokens(config, user);
    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(true);

    await server.accounts.setDisabled(user.id, true);

    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    const refresh = String(tokens.refresh_token);
    expect((await oidc.tokenIntrospection(config, refresh)).active).toBe(false);

    await server.accounts.setDisabled(user.id, false);

    expect((await oidc.tokenIntrospection(config, tokens.access_token)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(config, refresh)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const { url } = await authorizationRequest(config, { prompt: 'none' });
    const back = new URL((await browser.get(url.toString())).url);
    expect(back.searchParams.get('error')).toBe('login_required');
  });

  it('does not let an existing browser session continue once the account is disabled', async () => {
    const user = await server.createUser();
    const { browser } = await signInForTokens(config, user);

    await server.accounts.setDisabled(user.id, true);

    const { url } = await authorizationRequest(config, { prompt: 'none' });
    const page = await browser.get(url.toString());
    const back = new URL(page.url);
    expect(back.searchParams.get('code')).toBeNull();
    expect(back.searchParams.get('error')).toBe('login_required');
  });

  it('shows the login page again to that browser, where another user can sign in', async () => {
    const user = await server.createUser();
    const colleague = await server.createUser();
    const { browser } = await signInForTokens(config, user);
    await server.accounts.setDisabled(user.id, true);

    const request = await authorizationRequest(config);
    const loginPage = await browser.get(request.url.toString());
    expect(loginPage.body).toContain('id="login-form"');
    let page = await browser.submit(loginPage, LOGIN_FORM, {
      email: colleague.email,
      password: colleague.password,
    });
    // Disabling ended the old account's session, so there is none for oidc-provider to end first
    // (it would show a form that a real browser submits itself): the consent page comes next.
    expect(findForm(page.body, /\/session\/end\/confirm$/)).toBeUndefined();
    page = await browser.submit(page, CONSENT_FORM);

    const tokens = await redeem(config, {
      browser,
      url: request.url,
      callbackUrl: new URL(page.url),
      codeVerifier: request.codeVerifier,
      state: request.state,
    });
    expect(tokens.claims()?.sub).toBe(colleague.id);
  });
});
