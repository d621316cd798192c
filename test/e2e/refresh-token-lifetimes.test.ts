import { setTimeout as sleep } from 'node:timers/promises';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { discover, REDIRECT_URI, signInForTokens } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import type { TestServer, TestUser } from '../support/server.ts';

/**
 * Refresh-token lifetimes (src/oidc/ttl.ts): an idle lifetime each rotation starts anew, an
 * absolute one from the sign-in, per client or by default, shorter for public clients. Seconds
 * here, so the suite stays fast; oidc-provider counts whole seconds, hence the slack.
 */
describe.each(serverBackends)('refresh-token lifetimes on $name storage', (backend) => {
  let server: TestServer;
  let user: TestUser;
  let confidential: oidc.Configuration;
  beforeAll(async () => {
    ({
      server,
      user,
      config: confidential,
    } = await startFlowFixture(backend, {
      overrides: { ttl: { publicRefreshToken: 2, publicRefreshTokenAbsolute: 60 } },
    }));
  });
  afterAll(() => server?.close());

  const clientWith = async (input: Parameters<TestServer['createClient']>[0]) => {
    const client = await server.createClient({ redirectUris: [REDIRECT_URI], ...input });
    return discover(server, client.clientId, client.clientSecret);
  };
  const refresh = (config: oidc.Configuration, token: unknown) =>
    oidc.refreshTokenGrant(config, String(token));

  it("ends a client's own idle lifetime when its refresh token goes unused", async () => {
    const config = await clientWith({ refreshTokenTtl: 2, refreshTokenAbsoluteTtl: 600 });
    const { tokens } = await signInForTokens(config, user);
    const rotated = await refresh(config, tokens.refresh_token);

    await sleep(3_200);

    await expect(refresh(config, rotated.refresh_token)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it("ends a chain at the client's absolute lifetime however often it rotates", async () => {
    const config = await clientWith({ refreshTokenTtl: 5, refreshTokenAbsoluteTtl: 6 });
    const { tokens } = await signInForTokens(config, user);
    const signedIn = Date.now();

    let token = tokens.refresh_token;
    // The chain began at the code exchange, a moment before; its second is rounded down.
    while (Date.now() - signedIn < 3_500) {
      await sleep(700);
      token = (await refresh(config, token)).refresh_token;
    }
    // Used every 0.7 s, never idle for long, yet the chain ends 6 s after the sign-in.
    await sleep(Math.max(0, signedIn + 6_500 - Date.now()));
    await expect(refresh(config, token)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('gives public clients the shorter public default', async () => {
    const config = await clientWith({ public: true });
    const { tokens } = await signInForTokens(config, user);

    await sleep(3_200);

    await expect(refresh(config, tokens.refresh_token)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('gives confidential clients the configured defaults', async () => {
    const { tokens } = await signInForTokens(confidential, user);
    const introspected = await oidc.tokenIntrospection(confidential, String(tokens.refresh_token));

    const lifetime = Number(introspected.exp) - Number(introspected.iat);
    expect(lifetime).toBe(server.config.ttl.refreshToken);
  });
});
