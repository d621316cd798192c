import { setTimeout as sleep } from 'node:timers/promises';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { signIn } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import type { TestServer } from '../support/server.ts';

async function startWithGrace(backend: (typeof serverBackends)[number], seconds: number) {
  const { server, user, config } = await startFlowFixture(backend, {
    overrides: { refreshTokenReuseGraceSeconds: seconds },
  });
  const tokens = async () => {
    const { callbackUrl, codeVerifier, state } = await signIn(config, user);
    return oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
    });
  };
  return { server, config, tokens };
}

describe.each(serverBackends)('refresh-token reuse grace window on $name storage', (backend) => {
  describe('within the window', () => {
    let server: TestServer;
    let config: oidc.Configuration;
    let tokens: () => Promise<oidc.TokenEndpointResponse>;
    beforeAll(async () => {
      ({ server, config, tokens } = await startWithGrace(backend, 30));
    });
    afterAll(() => server?.close());

    it('gives every one of several concurrent refreshes a working token pair', async () => {
      const { refresh_token } = await tokens();
      const results = await Promise.all(
        Array.from({ length: 5 }, () => oidc.refreshTokenGrant(config, String(refresh_token))),
      );

      const rotated = results.map((result) => String(result.refresh_token));
      expect(new Set(rotated).size).toBe(5);
      expect(rotated).not.toContain(refresh_token);
      for (const result of results) {
        expect((await oidc.tokenIntrospection(config, result.access_token)).active).toBe(true);
      }
      // The grant survived: each rotated token refreshes again.
      for (const token of rotated) {
        await expect(oidc.refreshTokenGrant(config, token)).resolves.toMatchObject({
          token_type: expect.stringMatching(/^bearer$/i),
        });
      }
    });
  });

  describe('after the window', () => {
    let server: TestServer;
    let config: oidc.Configuration;
    let tokens: () => Promise<oidc.TokenEndpointResponse>;
    beforeAll(async () => {
      ({ server, config, tokens } = await startWithGrace(backend, 1));
    });
    afterAll(() => server?.close());

    it('refuses a rotated token presented after the window and revokes the whole grant', async () => {
      const first = await tokens();
      const second = await oidc.refreshTokenGrant(config, String(first.refresh_token));

      await sleep(1_500);

      await expect(
        oidc.refreshTokenGrant(config, String(first.refresh_token)),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
      await expect(
        oidc.refreshTokenGrant(config, String(second.refresh_token)),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
      expect((await oidc.tokenIntrospection(config, second.access_token)).active).toBe(false);
    });
  });
});
