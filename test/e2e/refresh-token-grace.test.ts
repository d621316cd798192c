import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { signIn } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import type { TestServer } from '../support/server.ts';

/** Short, to keep the suite fast; long enough for a replay right after a refresh to fall in it. */
const AFTER_WINDOW_GRACE_SECONDS = 2;

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

    it('answers several concurrent refreshes with one successor and a working access token each', async () => {
      const { refresh_token } = await tokens();
      const results = await Promise.all(
        Array.from({ length: 5 }, () => oidc.refreshTokenGrant(config, String(refresh_token))),
      );

      const successors = new Set(results.map((result) => String(result.refresh_token)));
      expect(successors.size).toBe(1);
      expect(successors).not.toContain(refresh_token);
      for (const result of results) {
        expect((await oidc.tokenIntrospection(config, result.access_token)).active).toBe(true);
      }
      // One chain: the successor refreshes, and its own successor is again one for all.
      const [successor] = successors;
      const next = await oidc.refreshTokenGrant(config, String(successor));
      expect(next.refresh_token).not.toBe(successor);
      await expect(oidc.refreshTokenGrant(config, String(successor))).resolves.toMatchObject({
        refresh_token: next.refresh_token,
      });
    });

    it('answers a retry after a lost response with the successor the first refresh got', async () => {
      const { refresh_token } = await tokens();
      const lost = await oidc.refreshTokenGrant(config, String(refresh_token));

      const retried = await oidc.refreshTokenGrant(config, String(refresh_token));

      expect(retried.refresh_token).toBe(lost.refresh_token);
      expect(retried.access_token).not.toBe(lost.access_token);
    });

    it('stores the successor sealed: nothing in storage holds it', async () => {
      const { refresh_token } = await tokens();
      const { refresh_token: successor } = await oidc.refreshTokenGrant(
        config,
        String(refresh_token),
      );
      const { rows } = await sql<{ row: string }>`
        select to_jsonb(p)::text as row from oidc_payloads p where model = 'RefreshSuccessor'
      `.execute(server.portcullis.database.db);

      expect(rows.length).toBeGreaterThan(0);
      for (const { row } of rows) {
        expect(row).not.toContain(String(successor));
        expect(row).not.toContain(String(refresh_token));
      }
    });
  });

  describe('after the window', () => {
    let server: TestServer;
    let config: oidc.Configuration;
    let tokens: () => Promise<oidc.TokenEndpointResponse>;
    beforeAll(async () => {
      ({ server, config, tokens } = await startWithGrace(backend, AFTER_WINDOW_GRACE_SECONDS));
    });
    afterAll(() => server?.close());

    it('refuses a rotated token presented after the window and revokes the whole grant', async () => {
      const first = await tokens();
      const second = await oidc.refreshTokenGrant(config, String(first.refresh_token));

      await sleep(AFTER_WINDOW_GRACE_SECONDS * 1000 + 500);

      await expect(
        oidc.refreshTokenGrant(config, String(first.refresh_token)),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
      await expect(
        oidc.refreshTokenGrant(config, String(second.refresh_token)),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
      expect((await oidc.tokenIntrospection(config, second.access_token)).active).toBe(false);
    });

    it('gives a thief replaying within the window no chain of its own', async () => {
      const first = await tokens();
      const victim = await oidc.refreshTokenGrant(config, String(first.refresh_token));
      const thief = await oidc.refreshTokenGrant(config, String(first.refresh_token));
      expect(thief.refresh_token).toBe(victim.refresh_token);

      // The victim goes on; once that rotation's window has passed, the thief's copy is reuse.
      const next = await oidc.refreshTokenGrant(config, String(victim.refresh_token));
      await sleep(AFTER_WINDOW_GRACE_SECONDS * 1000 + 500);
      await expect(
        oidc.refreshTokenGrant(config, String(thief.refresh_token)),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
      await expect(
        oidc.refreshTokenGrant(config, String(next.refresh_token)),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
      for (const issued of [victim, thief, next]) {
        expect((await oidc.tokenIntrospection(config, issued.access_token)).active).toBe(false);
      }
    });
  });
});
