import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttemptThrottle } from '../../src/domain/attempt-throttle.ts';
import {
  attemptCounters,
  purgeExpiredAttemptCounters,
} from '../../src/storage/attempt-counters.ts';
import {
  createTestRedis,
  sqlBackends,
  TEST_REDIS_URL,
  type TestDatabase,
  type TestRedis,
} from '../support/backends.ts';

const policy = { subjectFailures: 3, ipFailures: 100, windowSeconds: 60, lockoutSeconds: 60 };
const stores = [
  ...sqlBackends.map((backend) => ({ name: backend.name, backend, redis: false })),
  ...(TEST_REDIS_URL && sqlBackends[0]
    ? [{ name: 'redis', backend: sqlBackends[0], redis: true }]
    : []),
];

describe.each(stores)('attempt counters in $name', ({ backend, redis: withRedis }) => {
  let database: TestDatabase;
  let redis: TestRedis | undefined;

  beforeAll(async () => {
    database = await backend.create();
    redis = withRedis ? await createTestRedis(String(TEST_REDIS_URL)) : undefined;
  });
  afterAll(async () => {
    await redis?.drop();
    await database?.drop();
  });

  /** Two throttles on one store, as two server instances have. */
  const twoInstances = () =>
    [1, 2].map(() =>
      createAttemptThrottle(attemptCounters(database.handle.db, redis?.handle), 'login', policy),
    );

  it('shares failures between instances and locks the subject out on both', async () => {
    const [a, b] = twoInstances();
    const attempt = { subject: `user-${Math.random()}@example.com`, ip: '192.0.2.1' };
    await a?.failed(attempt);
    await b?.failed(attempt);
    expect(await a?.retryAfter(attempt)).toBe(0);
    await a?.failed(attempt);

    for (const instance of [a, b]) {
      const wait = await instance?.retryAfter(attempt);
      expect(wait).toBeGreaterThan(policy.lockoutSeconds - 2);
      expect(wait).toBeLessThanOrEqual(policy.lockoutSeconds);
    }
  });

  it('counts concurrent failures exactly', async () => {
    const [a, b] = twoInstances();
    const ip = `198.51.100.${Math.floor(Math.random() * 200)}`;
    const attempts = Array.from({ length: 20 }, (_, i) => ({ subject: `s${i}`, ip }));
    await Promise.all(attempts.map((attempt, i) => (i % 2 ? a : b)?.failed(attempt)));
    const ipOnly = createAttemptThrottle(
      attemptCounters(database.handle.db, redis?.handle),
      'login',
      { ...policy, ipFailures: 20 },
    );
    expect(await ipOnly.retryAfter({ subject: 'fresh', ip })).toBeGreaterThan(0);
    const roomier = createAttemptThrottle(
      attemptCounters(database.handle.db, redis?.handle),
      'login',
      { ...policy, ipFailures: 21 },
    );
    expect(await roomier.retryAfter({ subject: 'fresh', ip })).toBe(0);
  });

  it('keeps no email address or IP in clear', async () => {
    const [a] = twoInstances();
    await a?.failed({ subject: 'visible@example.com', ip: '203.0.113.9' });
    const stored = redis
      ? (await redis.keys()).join('\n')
      : JSON.stringify(
          (await sql`select key from attempt_counters`.execute(database.handle.db)).rows,
        );
    expect(stored).not.toContain('visible');
    expect(stored).not.toContain('203.0.113.9');
    expect(stored.length).toBeGreaterThan(0);
  });

  it.skipIf(withRedis)('purges expired counters from the SQL store', async () => {
    await sql`insert into attempt_counters values ('old', 1, ${Date.now() - 1000})`.execute(
      database.handle.db,
    );
    expect(await purgeExpiredAttemptCounters(database.handle.db)).toBeGreaterThanOrEqual(1);
    const left = await sql`select 1 from attempt_counters where key = 'old'`.execute(
      database.handle.db,
    );
    expect(left.rows).toHaveLength(0);
  });
});
