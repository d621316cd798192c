import { sql } from 'kysely';
import type { BenchContext } from './context.ts';

export interface StorageSample {
  /** pg_total_relation_size of oidc_payloads (table, TOAST and indexes), in bytes. */
  sqlBytes: number;
  sqlSessions: number;
  /** Redis used_memory, when Redis is configured. */
  redisBytes: number | undefined;
  /** Session entries in Redis (their uid index keys not counted). */
  redisSessions: number | undefined;
}

/** Where sessions are and how much room the stores take, to compare before and after. */
export async function sampleStorage(ctx: BenchContext): Promise<StorageSample> {
  const { rows } = await sql<{ bytes: string; sessions: string }>`
    select pg_total_relation_size('oidc_payloads') as bytes,
           (select count(*) from oidc_payloads where model = 'Session') as sessions
  `.execute(ctx.db);
  const redis = ctx.backend.redis;
  return {
    sqlBytes: Number(rows[0]?.bytes ?? 0),
    sqlSessions: Number(rows[0]?.sessions ?? 0),
    redisBytes: redis ? await redis.usedMemory() : undefined,
    redisSessions: redis
      ? (await redis.countKeys('Session:')) - (await redis.countKeys('Session:uid:'))
      : undefined,
  };
}
