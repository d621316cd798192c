import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

export interface AdapterBackend {
  adapterFor(model: string): Adapter;
  close(): Promise<void>;
  /**
   * What a session found by its uid gives back of what was stored: all of it, unless the store
   * keeps no copy of the session id (storage/oidc-payload-sealing.ts).
   */
  foundByUid?: (stored: AdapterPayload) => AdapterPayload;
}

const id = () => randomUUID();
const epochNow = () => Math.floor(Date.now() / 1000);

const token = (grantId: string, extra: Partial<AdapterPayload> = {}): AdapterPayload => ({
  kind: 'AccessToken',
  jti: id(),
  grantId,
  accountId: 'account-1',
  clientId: 'client-1',
  scope: 'openid email',
  iat: epochNow(),
  exp: epochNow() + 60,
  ...extra,
});

/**
 * What oidc-provider expects of any adapter, as vitest cases. Every store the provider can use
 * (SQL on each backend, Redis) runs this same suite; it makes no assumption about how entries are
 * stored, only about what the Adapter interface returns.
 */
export function runAdapterContract(name: string, setup: () => Promise<AdapterBackend>): void {
  describe(`oidc-provider adapter contract: ${name}`, () => {
    let backend: AdapterBackend;
    let adapterFor: (model: string) => Adapter;

    beforeAll(async () => {
      backend = await setup();
      adapterFor = (model) => backend.adapterFor(model);
    });
    afterAll(() => backend?.close());

    it('finds an upserted entry with the payload it was given', async () => {
      const adapter = adapterFor('AccessToken');
      const key = id();
      const payload = token(id(), { extra: { nested: { list: [1, 'two'] } } });
      await adapter.upsert(key, payload, 60);
      expect(await adapter.find(key)).toEqual(payload);
    });

    it('replaces the payload when the same id is upserted again', async () => {
      const adapter = adapterFor('AccessToken');
      const key = id();
      await adapter.upsert(key, token('grant-a', { scope: 'openid' }), 60);
      const replacement = token('grant-b', { scope: 'openid email profile' });
      await adapter.upsert(key, replacement, 60);
      expect(await adapter.find(key)).toEqual(replacement);
    });

    it('finds nothing for an id that was never stored', async () => {
      const adapter = adapterFor('AccessToken');
      expect(await adapter.find(id())).toBeUndefined();
      expect(await adapterFor('Session').findByUid(id())).toBeUndefined();
      expect(await adapterFor('DeviceCode').findByUserCode('NONE-SUCH')).toBeUndefined();
    });

    it('finds a session by its uid', async () => {
      const adapter = adapterFor('Session');
      const key = id();
      const payload: AdapterPayload = { kind: 'Session', jti: key, uid: id(), accountId: 'a-1' };
      await adapter.upsert(key, payload, 60);
      const expected = backend.foundByUid?.(payload) ?? payload;
      expect(await adapter.findByUid(String(payload.uid))).toEqual(expected);
    });

    it('finds a device code by its user code', async () => {
      const adapter = adapterFor('DeviceCode');
      const key = id();
      const userCode = `U${randomUUID().slice(0, 8).toUpperCase()}`;
      const payload: AdapterPayload = { kind: 'DeviceCode', jti: key, userCode, clientId: 'c-1' };
      await adapter.upsert(key, payload, 60);
      expect(await adapter.findByUserCode(userCode)).toEqual(payload);
    });

    it('stops returning entries once they expire, by id, uid and user code', async () => {
      const session = adapterFor('Session');
      const deviceCode = adapterFor('DeviceCode');
      const accessToken = adapterFor('AccessToken');
      const [expiring, lasting, sessionKey, deviceKey] = [id(), id(), id(), id()];
      const uid = id();
      const userCode = `E${randomUUID().slice(0, 8).toUpperCase()}`;
      await accessToken.upsert(expiring, token(id()), 1);
      await accessToken.upsert(lasting, token(id()), 60);
      await session.upsert(sessionKey, { kind: 'Session', jti: sessionKey, uid }, 1);
      await deviceCode.upsert(deviceKey, { kind: 'DeviceCode', jti: deviceKey, userCode }, 1);
      expect(await accessToken.find(expiring)).toBeDefined();

      await sleep(1_200);

      expect(await accessToken.find(expiring)).toBeUndefined();
      expect(await session.find(sessionKey)).toBeUndefined();
      expect(await session.findByUid(uid)).toBeUndefined();
      expect(await deviceCode.findByUserCode(userCode)).toBeUndefined();
      expect(await accessToken.find(lasting)).toBeDefined();
    });

    it('marks a consumed entry with the time of consumption in epoch seconds', async () => {
      const adapter = adapterFor('AuthorizationCode');
      const key = id();
      await adapter.upsert(key, token(id(), { kind: 'AuthorizationCode' }), 60);
      expect((await adapter.find(key))?.consumed).toBeUndefined();

      const before = epochNow();
      await adapter.consume(key);
      const { consumed } = (await adapter.find(key)) ?? {};
      expect(typeof consumed).toBe('number');
      expect(consumed).toBeGreaterThanOrEqual(before - 1);
      expect(consumed).toBeLessThanOrEqual(epochNow() + 1);
    });

    it('lets exactly one of many concurrent consumptions succeed', async () => {
      const adapter = adapterFor('RefreshToken');
      const key = id();
      await adapter.upsert(key, token(id(), { kind: 'RefreshToken' }), 60);

      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => adapter.consume(key)),
      );

      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.filter((result) => result.status === 'rejected');
      expect(rejected).toHaveLength(9);
      for (const result of rejected) expect(result.reason).toBeInstanceOf(errors.InvalidGrant);
    });

    it('removes a destroyed entry from every lookup', async () => {
      const adapter = adapterFor('Session');
      const key = id();
      const uid = id();
      await adapter.upsert(key, { kind: 'Session', jti: key, uid }, 60);
      await adapter.destroy(key);
      expect(await adapter.find(key)).toBeUndefined();
      expect(await adapter.findByUid(uid)).toBeUndefined();
    });

    it("revokes every entry of a grant and leaves other grants' entries", async () => {
      const adapter = adapterFor('AccessToken');
      const [revoked, kept] = [id(), id()];
      const revokedKeys = [id(), id(), id()];
      const keptKey = id();
      for (const key of revokedKeys) await adapter.upsert(key, token(revoked), 60);
      await adapter.upsert(keptKey, token(kept), 60);

      await adapter.revokeByGrantId(revoked);

      for (const key of revokedKeys) expect(await adapter.find(key)).toBeUndefined();
      expect(await adapter.find(keptKey)).toEqual(expect.objectContaining({ grantId: kept }));
    });

    it('keeps models apart: one id in two models is two entries', async () => {
      const accessTokens = adapterFor('AccessToken');
      const refreshTokens = adapterFor('RefreshToken');
      const key = id();
      const access = token(id(), { kind: 'AccessToken' });
      const refresh = token(id(), { kind: 'RefreshToken' });
      await accessTokens.upsert(key, access, 60);
      await refreshTokens.upsert(key, refresh, 60);

      expect(await accessTokens.find(key)).toEqual(access);
      expect(await refreshTokens.find(key)).toEqual(refresh);

      await accessTokens.consume(key);
      await accessTokens.destroy(key);
      expect(await accessTokens.find(key)).toBeUndefined();
      expect(await refreshTokens.find(key)).toEqual(refresh);
    });
  });
}
