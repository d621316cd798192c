import { setTimeout as sleep } from 'node:timers/promises';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/backends.ts';
import { Browser } from '../support/browser.ts';
import {
  authorizationRequest,
  discover,
  REDIRECT_URI,
  redeem,
  signIn,
  signInForTokens,
} from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import { createRedisServer, HAS_REDIS_SERVER, type RedisServer } from '../support/redis-server.ts';
import type { TestServer, TestUser } from '../support/server.ts';

const [embedded] = sqlBackends;

async function readiness(server: TestServer) {
  const response = await fetch(new URL('/readyz', server.issuer));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function waitUntilReady(server: TestServer): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if ((await readiness(server)).status === 200) return;
    await sleep(100);
  }
  throw new Error('the server did not become ready again');
}

describe.skipIf(!HAS_REDIS_SERVER || !embedded)(
  'Redis going down and coming back (needs a redis-server binary)',
  () => {
    let redis: RedisServer;
    let server: TestServer;
    let config: oidc.Configuration;
    let service: oidc.Configuration;
    let user: TestUser;

    beforeAll(async () => {
      redis = await createRedisServer();
      await redis.start();
      ({ server, user, config } = await startFlowFixture(embedded as (typeof sqlBackends)[number], {
        overrides: { redisUrl: redis.url },
      }));
      const backend = await server.createClient({ grantTypes: ['client_credentials'] });
      service = await discover(server, backend.clientId, backend.clientSecret);
    });
    afterAll(async () => {
      await server?.close();
      await redis?.stop();
    });

    const authorizationUrl = async () => (await authorizationRequest(config)).url.href;

    it('answers 503 temporarily_unavailable where Redis is needed, fast, and recovers', async () => {
      const signedIn = await signIn(config, user);
      const browser = new Browser([REDIRECT_URI]);
      const interaction = await browser.get(await authorizationUrl());
      expect(interaction.url).toMatch(/\/interaction\//);

      await redis.stop();

      // The token endpoint (JSON): the code lives in Redis.
      const before = Date.now();
      const refused = await redeem(config, signedIn).catch((error: unknown) => error);
      expect(Date.now() - before).toBeLessThan(2_500);
      // openid-client reads only 400/401 as OAuth errors; the response is its `cause`.
      const response = (refused as { cause: Response }).cause;
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: expect.stringMatching(/temporarily unavailable/i),
      });

      // HTML: the authorization endpoint (the session lives in Redis) and an interaction page
      // (so does the interaction) show the error page; neither redirects anywhere.
      const pages = [
        await signedIn.browser.get(await authorizationUrl()),
        await browser.get(interaction.url),
      ];
      for (const page of pages) {
        expect(page.status).toBe(503);
        expect(page.headers.get('location')).toBeNull();
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        expect(page.body).toMatch(/temporarily unavailable/i);
      }

      expect(await readiness(server)).toEqual({
        status: 503,
        body: { status: 'unavailable', checks: { database: 'ok', redis: 'unavailable' } },
      });
      expect((await fetch(new URL('/healthz', server.issuer))).status).toBe(200);
      // What does not need Redis keeps working: client credentials live in SQL.
      await expect(oidc.clientCredentialsGrant(service)).resolves.toHaveProperty('access_token');

      await redis.start();
      await waitUntilReady(server);

      const { tokens } = await signInForTokens(config, user);
      expect(tokens.access_token).toBeTruthy();
    });
  },
);
