import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { discover, signInForTokens } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import type { TestServer, TestUser } from '../support/server.ts';

describe.each(serverBackends)('token revocation and introspection on $name storage', (backend) => {
  let server: TestServer;
  let config: oidc.Configuration;
  let clientId: string;
  let user: TestUser;

  beforeAll(async () => {
    ({
      server,
      user,
      config,
      client: { clientId },
    } = await startFlowFixture(backend));
  });
  afterAll(() => server?.close());

  it('introspects live access and refresh tokens as active for their user and client', async () => {
    const { tokens } = await signInForTokens(config, user);

    const access = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(access).toMatchObject({ active: true, sub: user.id, client_id: clientId });
    const refresh = await oidc.tokenIntrospection(config, String(tokens.refresh_token));
    expect(refresh).toMatchObject({ active: true, sub: user.id, client_id: clientId });
  });

  it('reports a revoked access token as inactive and refuses it at userinfo', async () => {
    const { tokens } = await signInForTokens(config, user);

    await oidc.tokenRevocation(config, tokens.access_token);

    const introspected = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(introspected.active).toBe(false);
    expect(introspected.sub).toBeUndefined();
    await expect(oidc.fetchUserInfo(config, tokens.access_token, user.id)).rejects.toMatchObject({
      status: 401,
    });
  });

  it('reports a revoked refresh token as inactive and refuses to refresh with it', async () => {
    const { tokens } = await signInForTokens(config, user);
    const refreshToken = String(tokens.refresh_token);

    await oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });

    const introspected = await oidc.tokenIntrospection(config, refreshToken);
    expect(introspected.active).toBe(false);
    await expect(oidc.refreshTokenGrant(config, refreshToken)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('leaves other sign-ins of the same user untouched by a revocation', async () => {
    const kept = await signInForTokens(config, user);
    const revoked = await signInForTokens(config, user);

    await oidc.tokenRevocation(config, String(revoked.tokens.refresh_token));

    const introspected = await oidc.tokenIntrospection(config, String(kept.tokens.refresh_token));
    expect(introspected).toMatchObject({ active: true, sub: user.id });
  });

  it("does not let another client introspect or revoke this client's tokens", async () => {
    const { tokens } = await signInForTokens(config, user);
    const other = await server.createClient({ name: 'Other App' });
    const otherConfig = await discover(server, other.clientId, other.clientSecret);

    const seenByOther = await oidc.tokenIntrospection(otherConfig, tokens.access_token);
    expect(seenByOther).toEqual({ active: false });
    await expect(oidc.tokenRevocation(otherConfig, tokens.access_token)).rejects.toMatchObject({
      error: 'invalid_request',
    });

    const stillActive = await oidc.tokenIntrospection(config, tokens.access_token);
    expect(stillActive).toMatchObject({ active: true, client_id: clientId });
  });
});
