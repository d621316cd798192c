import { randomUUID } from 'node:crypto';
import type { AdapterPayload } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisAdapter } from '../../src/storage/oidc-redis-adapter.ts';
import { createTestRedis, TEST_REDIS_URL, type TestRedis } from '../support/backends.ts';
import { runAdapterContract } from './adapter-contract.ts';

const id = () => randomUUID();

describe.skipIf(!TEST_REDIS_URL)('Redis adapter (needs TEST_REDIS_URL)', () => {
  runAdapterContract('Redis', async () => {
    const redis = await createTestRedis(String(TEST_REDIS_URL));
    return {
      adapterFor: (model) => createRedisAdapter(redis.handle, model),
      close: () => redis.drop(),
    };
  });
});

describe.skipIf(!TEST_REDIS_URL)('Redis adapter keys (needs TEST_REDIS_URL)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await createTestRedis(String(TEST_REDIS_URL));
  });
  afterAll(() => redis?.drop());

  const ttlOf = (key: string) => redis.handle.client.ttl(key);

  it('writes every key under the configured prefix and model', async () => {
    const session = createRedisAdapter(redis.handle, 'Session');
    const [key, uid] = [id(), id()];
    await session.upsert(key, { kind: 'Session', jti: key, uid }, 60);

    const keys = await redis.keys();
    expect(keys).toEqual([`${redis.prefix}Session:${key}`, `${redis.prefix}Session:uid:${uid}`]);
    await session.destroy(key);
    expect(await redis.keys()).toEqual([]);
  });

  it('sets the TTL it was given on the entry, its lookup key and its grant set', async () => {
    const deviceCode = createRedisAdapter(redis.handle, 'DeviceCode');
    const [key, grantId] = [id(), id()];
    await deviceCode.upsert(
      key,
      { kind: 'DeviceCode', jti: key, userCode: 'ABCD-EFGH', grantId },
      90,
    );

    for (const name of [key, 'userCode:ABCD-EFGH', `grant:${grantId}`]) {
      const ttl = await ttlOf(`${redis.prefix}DeviceCode:${name}`);
      expect(ttl).toBeGreaterThan(85);
      expect(ttl).toBeLessThanOrEqual(90);
    }
    await deviceCode.revokeByGrantId(grantId);
  });

  it('keeps a grant set alive as long as its longest-lived entry', async () => {
    const codes = createRedisAdapter(redis.handle, 'AuthorizationCode');
    const grantId = id();
    const setKey = `${redis.prefix}AuthorizationCode:grant:${grantId}`;
    await codes.upsert(id(), { grantId }, 300);
    await codes.upsert(id(), { grantId }, 30);
    expect(await ttlOf(setKey)).toBeGreaterThan(290);
    await codes.revokeByGrantId(grantId);
  });

  it('leaves nothing behind after revokeByGrantId: entries, lookups and the grant set', async () => {
    const sessions = createRedisAdapter(redis.handle, 'Session');
    const grantId = id();
    const entries = [id(), id()];
    for (const key of entries) await sessions.upsert(key, { jti: key, uid: id(), grantId }, 60);
    const other = id();
    await sessions.upsert(other, { jti: other, grantId: id() }, 60);

    await sessions.revokeByGrantId(grantId);

    const keys = await redis.keys();
    expect(keys.filter((key) => key.includes(grantId))).toEqual([]);
    expect(keys.filter((key) => entries.some((entry) => key.endsWith(entry)))).toEqual([]);
    expect(keys.filter((key) => key.includes(':uid:'))).toEqual([]);
    expect(await sessions.find(other)).toMatchObject({ jti: other });
    await sessions.destroy(other);
  });

  it('moves an entry out of its old grant set when an upsert changes its grant', async () => {
    const codes = createRedisAdapter(redis.handle, 'AuthorizationCode');
    const [key, before, after] = [id(), id(), id()];
    await codes.upsert(key, { grantId: before }, 60);
    await codes.upsert(key, { grantId: after }, 60);

    await codes.revokeByGrantId(before);
    expect(await codes.find(key)).toMatchObject({ grantId: after });
    await codes.revokeByGrantId(after);
    expect(await codes.find(key)).toBeUndefined();
  });

  it('does not remove a lookup that another entry took over', async () => {
    const sessions = createRedisAdapter(redis.handle, 'Session');
    const [old, renewed, uid] = [id(), id(), id()];
    const payload = (jti: string): AdapterPayload => ({ kind: 'Session', jti, uid });
    // oidc-provider saves a regenerated session under a new id with the same uid, then
    // destroys the old one.
    await sessions.upsert(old, payload(old), 60);
    await sessions.upsert(renewed, payload(renewed), 60);
    await sessions.destroy(old);
    expect(await sessions.findByUid(uid)).toEqual(payload(renewed));
    await sessions.destroy(renewed);
  });

  it('keeps the consumed mark when a consumed entry is saved again', async () => {
    const codes = createRedisAdapter(redis.handle, 'AuthorizationCode');
    const key = id();
    await codes.upsert(key, { jti: key }, 60);
    await codes.consume(key);
    await codes.upsert(key, { jti: key, extra: { touched: true } }, 60);
    expect(await codes.find(key)).toMatchObject({ consumed: expect.any(Number) });
    await codes.destroy(key);
  });
});
