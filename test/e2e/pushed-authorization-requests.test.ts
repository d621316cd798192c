import type * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends, sqlBackends } from '../support/backends.ts';
import { Browser, type Page } from '../support/browser.ts';
import { authorizationRequest, discover, REDIRECT_URI, redeem, signIn } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import { expectFriendlyPage } from '../support/pages.ts';
import type { TestServer, TestUser } from '../support/server.ts';

/** Opens an authorization URL in a browser that stops at any redirect back to the client. */
const open = (url: URL): Promise<Page> => new Browser([REDIRECT_URI]).get(url.toString());

/** Where the browser ended: the client's redirect URI (with its query) or one of our pages. */
function answerOf(page: Page) {
  const url = new URL(page.url);
  return { atClient: `${url.origin}${url.pathname}` === REDIRECT_URI, params: url.searchParams };
}

describe.each(serverBackends)(
  'pushed authorization requests (RFC 9126) on $name storage',
  (backend) => {
    let server: TestServer;
    let user: TestUser;
    let config: oidc.Configuration;
    beforeAll(async () => {
      ({ server, user, config } = await startFlowFixture(backend));
    });
    afterAll(() => server?.close());

    it('advertises the endpoint, and does not require it of every client by default', () => {
      const metadata = config.serverMetadata();
      expect(metadata.pushed_authorization_request_endpoint).toBe(`${server.issuer}/request`);
      expect(metadata.require_pushed_authorization_requests).toBeFalsy();
    });

    it('signs a user in through a pushed request, with openid-client', async () => {
      const signedIn = await signIn(config, user, { pushed: true });
      const tokens = await redeem(config, signedIn);

      expect(tokens.access_token).toBeTruthy();
      expect(tokens.claims()?.sub).toBe(user.id);
    });

    it('answers a request_uri with one code: once used, it is refused', async () => {
      const signedIn = await signIn(config, user, { pushed: true });
      expect(signedIn.url.searchParams.get('request_uri')).toMatch(
        /^urn:ietf:params:oauth:request_uri:/,
      );
      expect(signedIn.callbackUrl.searchParams.get('code')).toBeTruthy();

      // The same browser, still signed in, opens the same request again.
      const again = await signedIn.browser.get(signedIn.url.toString());

      expectFriendlyPage(again, 400);
    });

    it("refuses another client's request_uri", async () => {
      const { url } = await authorizationRequest(config, {}, { pushed: true });
      const other = await server.createClient({ redirectUris: [REDIRECT_URI] });
      url.searchParams.set('client_id', other.clientId);

      const page = await open(url);

      expect(page.status).toBeGreaterThanOrEqual(300);
      expect(page.status).toBeLessThan(500);
      const { atClient, params } = answerOf(page);
      if (atClient) expect(params.get('error')).toMatch(/^invalid_request/);
      else expectFriendlyPage(page, 400);
      expect(params.get('code')).toBeNull();
    });

    it('refuses a push from a client that does not authenticate, with 401 invalid_client', async () => {
      const response = await fetch(`${server.issuer}/request`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: config.clientMetadata().client_id,
          client_secret: 'wrong',
          response_type: 'code',
          redirect_uri: REDIRECT_URI,
          scope: 'openid',
          code_challenge: 'x'.repeat(43),
          code_challenge_method: 'S256',
        }),
      });

      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    });

    it('refuses a pushed request whose redirect_uri the client has not registered', async () => {
      await expect(
        authorizationRequest(
          config,
          { redirect_uri: 'https://attacker.example/cb' },
          { pushed: true },
        ),
      ).rejects.toMatchObject({
        error: 'invalid_request',
        error_description: expect.stringMatching(/redirect_uri/),
      });
    });

    it('requires a pushed request of a client registered with it', async () => {
      const strict = await server.createClient({
        redirectUris: [REDIRECT_URI],
        requirePushedAuthorizationRequests: true,
      });
      const strictConfig = await discover(server, strict.clientId, strict.clientSecret);

      const plain = answerOf(await open((await authorizationRequest(strictConfig)).url));
      expect(plain.atClient).toBe(true);
      expect(plain.params.get('error')).toBe('invalid_request');
      expect(plain.params.get('error_description')).toMatch(/Pushed Authorization Request/i);

      const pushed = await signIn(strictConfig, user, { pushed: true });
      await expect(redeem(strictConfig, pushed)).resolves.toMatchObject({
        token_type: expect.stringMatching(/^bearer$/i),
      });
    });
  },
);

describe('PORTCULLIS_REQUIRE_PAR', () => {
  let server: TestServer;
  let config: oidc.Configuration;
  beforeAll(async () => {
    ({ server, config } = await startFlowFixture(sqlBackends[0] as (typeof sqlBackends)[number], {
      overrides: { requirePushedAuthorizationRequests: true },
    }));
  });
  afterAll(() => server?.close());

  it('requires a pushed request of every client, and says so in discovery', async () => {
    expect(config.serverMetadata().require_pushed_authorization_requests).toBe(true);

    const plain = answerOf(await open((await authorizationRequest(config)).url));

    expect(plain.atClient).toBe(true);
    expect(plain.params.get('error')).toBe('invalid_request');
  });
});
