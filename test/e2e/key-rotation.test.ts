import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { Browser } from '../support/browser.ts';
import { REDIRECT_URI, signIn } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import { maxAgeOf, strictResourceServer } from '../support/resource-server.ts';
import { API, COMPRESSED_KEYS, sleep, testResourceServers } from '../support/rotation.ts';
import type { TestServer, TestUser } from '../support/server.ts';

interface Verified {
  alg: string;
  kid: string;
}

describe.each(serverBackends)('zero-downtime key rotation on $name storage', (backend) => {
  let server: TestServer;
  let client: oidc.Configuration;
  let clientId: string;
  let user: TestUser;

  beforeAll(async () => {
    ({
      server,
      user,
      config: client,
      client: { clientId },
    } = await startFlowFixture(backend, {
      overrides: COMPRESSED_KEYS,
      start: { resourceServers: testResourceServers },
      client: { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] },
    }));
  });
  afterAll(() => server?.close());

  it('serves the JWKS at both addresses with a public max-age below the lead time', async () => {
    const responses = await Promise.all(
      ['/jwks', '/.well-known/jwks.json'].map((path) => fetch(`${server.issuer}${path}`)),
    );
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('public, max-age=1');
      expect(response.headers.get('content-type')).toMatch(/^application\/jwk-set\+json/);
    }
    const [a, b] = await Promise.all(responses.map((response) => response.json()));
    expect(a).toEqual(b);
    expect(maxAgeOf(responses[0]?.headers.get('cache-control') ?? null)).toBeLessThan(
      COMPRESSED_KEYS.keys.leadTimeSeconds,
    );
  });

  it('keeps every fresh ID token and JWT access token verifiable across two full rotations', async () => {
    const maxAge = maxAgeOf((await fetch(`${server.issuer}/jwks`)).headers.get('cache-control'));
    const resourceServer = strictResourceServer(server.issuer, maxAge);
    const session = await signIn(client, user);
    let tokens: oidc.TokenEndpointResponse = await oidc.authorizationCodeGrant(
      client,
      session.callbackUrl,
      {
        pkceCodeVerifier: session.codeVerifier,
        expectedState: session.state,
      },
    );
    // A sign-in left half-way (login page shown) before the rotations, finished after them.
    const pending = new Browser([REDIRECT_URI]);
    const pendingLogin = await pending.get(
      oidc
        .buildAuthorizationUrl(client, {
          redirect_uri: REDIRECT_URI,
          scope: 'openid',
          code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        })
        .toString(),
    );

    const verified: Verified[] = [];
    const failures: string[] = [];
    const kidsOf = (alg: string) =>
      new Set(verified.filter((entry) => entry.alg === alg).map((entry) => entry.kid));
    const deadline = Date.now() + 40_000;
    // Two full rotations: a third key of each algorithm has signed.
    while ((kidsOf('ES256').size < 3 || kidsOf('RS256').size < 3) && Date.now() < deadline) {
      try {
        const granted = await oidc.clientCredentialsGrant(client, {
          scope: 'api:read',
          resource: API,
        });
        const at = granted.access_token;
        verified.push({
          alg: 'ES256',
          kid: await resourceServer.verify(at, { audience: API, typ: 'at+jwt' }),
        });
        tokens = await oidc.refreshTokenGrant(client, String(tokens.refresh_token));
        const idToken = String(tokens.id_token);
        verified.push({
          alg: 'RS256',
          kid: await resourceServer.verify(idToken, { audience: clientId }),
        });
      } catch (error) {
        failures.push(`${new Date().toISOString()} ${(error as Error).message}`);
      }
      await sleep(100);
    }

    expect(failures).toEqual([]);
    expect(kidsOf('ES256').size).toBeGreaterThanOrEqual(3);
    expect(kidsOf('RS256').size).toBeGreaterThanOrEqual(3);
    // The resource server really cached: it fetched the JWKS about once per max-age, not per token.
    expect(resourceServer.jwksFetches).toBeGreaterThan(1);
    expect(resourceServer.jwksFetches).toBeLessThan(verified.length / 2);

    // The cookie keys rotated too, and neither the session nor the pending sign-in noticed.
    const cookieKeys = await server.portcullis.database.db
      .selectFrom('cookie_keys')
      .select('state')
      .execute();
    expect(cookieKeys.length).toBeGreaterThanOrEqual(3);
    const consent = await pending.submit(pendingLogin, /\/login$/, {
      email: user.email,
      password: user.password,
    });
    const finished = await pending.submit(consent, /\/confirm$/);
    expect(finished.url.startsWith(REDIRECT_URI)).toBe(true);
    expect(new URL(finished.url).searchParams.get('code')).toBeTruthy();

    const again = await session.browser.get(
      oidc
        .buildAuthorizationUrl(client, {
          redirect_uri: REDIRECT_URI,
          scope: 'openid email profile offline_access',
          code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        })
        .toString(),
    );
    expect(again.url.startsWith(REDIRECT_URI)).toBe(true);
    expect(new URL(again.url).searchParams.get('code')).toBeTruthy();
  });
});
