import { CompiledQuery, type Kysely, sql } from 'kysely';
import {
  type RateLimiterAbstract,
  RateLimiterPostgres,
  RateLimiterRedis,
} from 'rate-limiter-flexible';
import type { RedisHandle } from './redis.ts';
import type { Database } from './schema.ts';

interface CounterOptions {
  /** Names the counters of one kind (e.g. `login-account`); part of every key. */
  name: string;
  /** How many attempts a key may count within `durationSeconds`. */
  points: number;
  durationSeconds: number;
}

/** Makes counters of failed attempts: one rate limiter per kind, all in one shared store. */
export type CounterFactory = (options: CounterOptions) => RateLimiterAbstract;

/**
 * Counters live where every instance sees them: in Redis when it is configured (it holds what is
 * hot and short-lived), otherwise in the SQL store's `attempt_counters` table. The counting rules
 * (atomic increment with expiry, blocks) are rate-limiter-flexible's, not ours.
 */
export function attemptCounters(db: Kysely<Database>, redis?: RedisHandle): CounterFactory {
  if (redis) {
    return ({ name, points, durationSeconds }) =>
      new RateLimiterRedis({
        storeClient: redis.client,
        useRedisPackage: false,
        rejectIfRedisNotReady: true,
        keyPrefix: `${redis.prefix}attempts:${name}`,
        points,
        duration: durationSeconds,
      });
  }
  // rate-limiter-flexible's Postgres store only needs `query({ text, values })`; through Kysely
  // it runs on Postgres and on embedded PGlite alike, and on the same serialised path as the rest.
  const storeClient = {
    query: async (query: { text: string; values?: readonly unknown[] }) => {
      const result = await db.executeQuery(
        CompiledQuery.raw(query.text, [...(query.values ?? [])]),
      );
      return { rows: result.rows, rowCount: result.rows.length };
    },
  };
  return ({ name, points, durationSeconds }) =>
    new RateLimiterPostgres({
      storeClient,
      storeType: 'client',
      tableName: 'attempt_counters',
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix: name,
      points,
      duration: durationSeconds,
    });
}

/** Deletes the counters that expired; run by the purge job. */
export async function purgeExpiredAttemptCounters(db: Kysely<Database>): Promise<number> {
  const result = await sql`delete from attempt_counters where expire < ${Date.now()}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
