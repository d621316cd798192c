import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { signIn } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import type { TestServer, TestUser } from '../support/server.ts';

describe.each(serverBackends)('authorization code + PKCE on $name storage', (backend) => {
  let server: TestServer;
  let config: oidc.Configuration;
  let user: TestUser;

  beforeAll(async () => {
    ({ server, user, config } = await startFlowFixture(backend, { user: { name: 'Alice' } }));
  });
  afterAll(() => server?.close());

  it('signs a user in through the login and consent pages and issues valid tokens', async () => {
    const { callbackUrl, codeVerifier, state } = await signIn(config, user);
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
    });
    const claims = tokens.claims();
    expect(claims?.sub).toBe(user.id);
    expect(claims?.iss).toBe(server.issuer);
    expect(tokens.refresh_token).toBeTruthy();

    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, user.id);
    expect(userinfo).toMatchObject({ sub: user.id, email: user.email, name: 'Alice' });
  });

  it('rotates refresh tokens and revokes the grant when a rotated token is reused', async () => {
    const { callbackUrl, codeVerifier, state } = await signIn(config, user);
    const first = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
    });
    const second = await oidc.refreshTokenGrant(config, String(first.refresh_token));
    expect(second.refresh_token).toBeTruthy();
    expect(second.refresh_token).not.toBe(first.refresh_token);

    await expect(oidc.refreshTokenGrant(config, String(first.refresh_token))).rejects.toMatchObject(
      {
        error: 'invalid_grant',
      },
    );
    await expect(
      oidc.refreshTokenGrant(config, String(second.refresh_token)),
    ).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const introspected = await oidc.tokenIntrospection(config, second.access_token);
    expect(introspected.active).toBe(false);
  });
});
