import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { Browser } from '../support/browser.ts';
import {
  authorizationRequest,
  discover,
  LOGIN_FORM,
  REDIRECT_URI,
  redeem,
} from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import type { TestServer, TestUser } from '../support/server.ts';

describe.each(serverBackends)('first-party clients on $name storage', (backend) => {
  let server: TestServer;
  let firstParty: oidc.Configuration;
  let thirdParty: oidc.Configuration;
  let user: TestUser;

  beforeAll(async () => {
    ({
      server,
      user,
      config: firstParty,
    } = await startFlowFixture(backend, { client: { name: 'Our Own App', firstParty: true } }));
    const other = await server.createClient({ name: 'Someone Else' });
    thirdParty = await discover(server, other.clientId, other.clientSecret);
  });
  afterAll(() => server?.close());

  it('goes from the login page straight back to the client with a code, no consent page', async () => {
    const browser = new Browser([REDIRECT_URI]);
    const request = await authorizationRequest(firstParty, { scope: 'openid email' });

    const loginPage = await browser.get(request.url.toString());
    expect(loginPage.body).toContain('id="login-form"');
    const after = await browser.submit(loginPage, LOGIN_FORM, {
      email: user.email,
      password: user.password,
    });

    expect(after.url.startsWith(REDIRECT_URI)).toBe(true);
    const tokens = await redeem(firstParty, {
      browser,
      callbackUrl: new URL(after.url),
      ...request,
    });
    expect(tokens.claims()?.sub).toBe(user.id);
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid']);
    const userinfo = await oidc.fetchUserInfo(firstParty, tokens.access_token, user.id);
    expect(userinfo.email).toBe(user.email);
  });

  it('grants newly requested scopes to a signed-in user without asking', async () => {
    const browser = new Browser([REDIRECT_URI]);
    const first = await authorizationRequest(firstParty, { scope: 'openid' });
    const loginPage = await browser.get(first.url.toString());
    await browser.submit(loginPage, LOGIN_FORM, { email: user.email, password: user.password });

    const more = await authorizationRequest(firstParty, { scope: 'openid email profile' });
    const back = await browser.get(more.url.toString());

    expect(back.url.startsWith(REDIRECT_URI)).toBe(true);
    const tokens = await redeem(firstParty, { browser, callbackUrl: new URL(back.url), ...more });
    expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
  });

  it('still shows the consent page for a client that is not first-party', async () => {
    const browser = new Browser([REDIRECT_URI]);
    const request = await authorizationRequest(thirdParty, { scope: 'openid email' });

    const loginPage = await browser.get(request.url.toString());
    const after = await browser.submit(loginPage, LOGIN_FORM, {
      email: user.email,
      password: user.password,
    });

    expect(after.url.startsWith(REDIRECT_URI)).toBe(false);
    expect(after.body).toMatch(/action="\/interaction\/[^/"]+\/confirm"/);
  });
});
