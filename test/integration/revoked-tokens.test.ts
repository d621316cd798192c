import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRevokedTokens } from '../../src/storage/revoked-tokens.redis.ts';
import {
  createSqlRevokedTokens,
  purgeExpiredRevocations,
} from '../../src/storage/revoked-tokens.sql.ts';
import type { RevokedTokens } from '../../src/storage/revoked-tokens.ts';
import { createTestRedis, sqlBackends, TEST_REDIS_URL } from '../support/backends.ts';

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

interface OpenStore {
  store: RevokedTokens;
  close(): Promise<void>;
}

/** What every deny-list store must do, whatever holds it. */
function denyListCases(open: () => Promise<OpenStore>): void {
  let store: RevokedTokens;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ store, close } = await open());
  });
  afterAll(() => close?.());

  it('denies a revoked token and no other', async () => {
    const [revoked, other] = [randomUUID(), randomUUID()];
    await store.revoke(revoked, inSeconds(60));
    expect(await store.isRevoked(revoked)).toBe(true);
    expect(await store.isRevoked(other)).toBe(false);
  });

  it('accepts the same revocation twice', async () => {
    const jti = randomUUID();
    await store.revoke(jti, inSeconds(60));
    await store.revoke(jti, inSeconds(60));
    expect(await store.isRevoked(jti)).toBe(true);
  });

  it('forgets a revocation once the token would have expired', async () => {
    const jti = randomUUID();
    await store.revoke(jti, inSeconds(1));
    expect(await store.isRevoked(jti)).toBe(true);
    await sleep(1_200);
    expect(await store.isRevoked(jti)).toBe(false);
  });

  it('does not record a token that has already expired', async () => {
    const jti = randomUUID();
    await store.revoke(jti, inSeconds(-5));
    expect(await store.isRevoked(jti)).toBe(false);
  });
}

for (const backend of sqlBackends) {
  describe(`revoked-token deny-list in SQL on ${backend.name}`, () => {
    denyListCases(async () => {
      const database = await backend.create();
      return { store: createSqlRevokedTokens(database.handle.db), close: () => database.drop() };
    });
  });
}

describe.skipIf(!TEST_REDIS_URL)('revoked-token deny-list in Redis (needs TEST_REDIS_URL)', () => {
  denyListCases(async () => {
    const redis = await createTestRedis(String(TEST_REDIS_URL));
    return { store: createRedisRevokedTokens(redis.handle), close: () => redis.drop() };
  });

  it('keeps one prefixed key per token with a TTL of its remaining lifetime', async () => {
    const redis = await createTestRedis(String(TEST_REDIS_URL));
    try {
      await createRedisRevokedTokens(redis.handle).revoke('jti-1', inSeconds(120));
      expect(await redis.keys()).toEqual([`${redis.prefix}revoked:jti-1`]);
      const ttl = await redis.handle.client.pttl(`${redis.prefix}revoked:jti-1`);
      expect(ttl).toBeGreaterThan(115_000);
      expect(ttl).toBeLessThanOrEqual(120_000);
    } finally {
      await redis.drop();
    }
  });
});

describe.each(sqlBackends)('revoked tokens in SQL on $name', (backend) => {
  it('purges revocations of tokens that have expired', async () => {
    const database = await backend.create();
    try {
      const { db } = database.handle;
      await createSqlRevokedTokens(db).revoke('live', inSeconds(60));
      await db
        .insertInto('revoked_tokens')
        .values({ jti: 'expired', expires_at: inSeconds(-1) })
        .execute();
      expect(await purgeExpiredRevocations(db)).toBe(1);
      const rows = await db.selectFrom('revoked_tokens').select('jti').execute();
      expect(rows.map((row) => row.jti)).toEqual(['live']);
    } finally {
      await database.drop();
    }
  });
});
