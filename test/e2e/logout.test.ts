import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { Browser } from '../support/browser.ts';
import { authorizationRequest, REDIRECT_URI, signInForTokens } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import { expectFriendlyPage } from '../support/pages.ts';
import type { TestServer, TestUser } from '../support/server.ts';

const POST_LOGOUT_REDIRECT_URI = 'http://localhost:8080/signed-out';
const END_SESSION_CONFIRM = /\/session\/end\/confirm$/;

describe.each(serverBackends)('RP-initiated logout on $name storage', (backend) => {
  let server: TestServer;
  let config: oidc.Configuration;
  let user: TestUser;

  beforeAll(async () => {
    ({ server, user, config } = await startFlowFixture(backend, {
      client: { name: 'Logout Test App', postLogoutRedirectUris: [POST_LOGOUT_REDIRECT_URI] },
    }));
  });
  afterAll(() => server?.close());

  async function signedInBrowser() {
    const browser = new Browser([REDIRECT_URI, POST_LOGOUT_REDIRECT_URI]);
    const { tokens } = await signInForTokens(config, user, { browser });
    return { browser, idToken: String(tokens.id_token) };
  }

  it('asks for confirmation, then returns to the registered post-logout URI with the state', async () => {
    const { browser, idToken } = await signedInBrowser();
    const endSession = oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
      state: 'bye-123',
    });

    const confirmation = await browser.get(endSession.toString());
    expect(confirmation.status).toBe(200);
    expect(confirmation.body).toContain('Sign out?');
    expect(confirmation.body).toContain('Logout Test App');
    const done = await browser.submit(confirmation, END_SESSION_CONFIRM, { logout: 'yes' });

    const back = new URL(done.url);
    expect(`${back.origin}${back.pathname}`).toBe(POST_LOGOUT_REDIRECT_URI);
    expect(back.searchParams.get('state')).toBe('bye-123');
  });

  it('ends the session: a prompt=none request afterwards gets login_required', async () => {
    const { browser, idToken } = await signedInBrowser();
    const silent = async () => {
      const request = await authorizationRequest(config, { prompt: 'none' });
      const page = await browser.get(request.url.toString());
      return new URL(page.url).searchParams;
    };
    expect((await silent()).get('code')).toBeTruthy();

    const endSession = oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
    });
    const confirmation = await browser.get(endSession.toString());
    await browser.submit(confirmation, END_SESSION_CONFIRM, { logout: 'yes' });

    const after = await silent();
    expect(after.get('error')).toBe('login_required');
    expect(after.get('code')).toBeNull();
  });

  it('ends on the signed-out page when no post-logout URI is given', async () => {
    const { browser, idToken } = await signedInBrowser();
    const endSession = oidc.buildEndSessionUrl(config, { id_token_hint: idToken });

    const confirmation = await browser.get(endSession.toString());
    const done = await browser.submit(confirmation, END_SESSION_CONFIRM, { logout: 'yes' });

    expect(done.status).toBe(200);
    expect(new URL(done.url).origin).toBe(server.issuer);
    expect(done.body).toContain('You are signed out');
  });

  it('refuses a post-logout URI the client has not registered, without redirecting', async () => {
    const { browser, idToken } = await signedInBrowser();
    const endSession = oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: 'https://attacker.example/after-logout',
    });

    const page = await browser.get(endSession.toString());

    expectFriendlyPage(page, 400);
    expect(page.body).not.toContain('op.logoutForm');
  });
});
