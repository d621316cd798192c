import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedId } from '../../src/storage/oidc-hashed-ids.ts';
import { serverBackends } from '../support/backends.ts';
import { authorizationRequest, redeem, signInForTokens } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import type { TestServer, TestUser } from '../support/server.ts';

const withRedis = serverBackends.find((backend) => backend.redisUrl !== undefined);

describe.skipIf(!withRedis)(
  'revoking a grant reaches Redis as well as Postgres (needs TEST_DATABASE_URL and TEST_REDIS_URL)',
  () => {
    let server: TestServer;
    let config: oidc.Configuration;
    let user: TestUser;

    beforeAll(async () => {
      ({ server, user, config } = await startFlowFixture(
        withRedis as (typeof serverBackends)[number],
      ));
    });
    afterAll(() => server?.close());

    it('deletes the grant’s pending code from Redis when refresh-token reuse revokes the grant', async () => {
      const { browser, tokens } = await signInForTokens(config, user);
      const rotated = await oidc.refreshTokenGrant(config, String(tokens.refresh_token));
      // A second authorization in the same session, under the same grant; its code is not
      // redeemed yet and lives in Redis.
      const pending = await authorizationRequest(config, { prompt: 'none' });
      const callbackUrl = new URL((await browser.get(pending.url.href)).url);
      const code = String(callbackUrl.searchParams.get('code'));
      const redis = server.redis?.handle.client;
      // Kept under the code's hash (storage/oidc-hashed-ids.ts).
      const codeKey = `${server.redis?.prefix}AuthorizationCode:${storedId(code)}`;
      const { grantId } = JSON.parse(String(await redis?.hget(codeKey, 'payload')));
      const grantSet = `${server.redis?.prefix}AuthorizationCode:grant:${grantId}`;
      expect(await redis?.exists(codeKey, grantSet)).toBe(2);

      await expect(
        oidc.refreshTokenGrant(config, String(tokens.refresh_token)),
      ).rejects.toMatchObject({ error: 'invalid_grant' });

      expect(await redis?.exists(codeKey, grantSet)).toBe(0);
      expect((await oidc.tokenIntrospection(config, rotated.access_token)).active).toBe(false);
      await expect(redeem(config, { browser, callbackUrl, ...pending })).rejects.toMatchObject({
        error: 'invalid_grant',
      });
    });
  },
);
