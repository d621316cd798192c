import type { Config } from '../config/schema.ts';
import type { Metrics } from '../http/metrics.ts';
import type { Logger } from '../shared/logger.ts';
import { purgeExpiredAttemptCounters } from '../storage/attempt-counters.ts';
import { type DatabaseHandle, openDatabase } from '../storage/database.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { purgeExpiredPayloads } from '../storage/oidc-payload-writes.ts';
import { openRedis, type RedisHandle } from '../storage/redis.ts';
import type { Cleanups } from './cleanups.ts';

export interface Stores {
  database: DatabaseHandle;
  /** Set when REDIS_URL is. */
  redis: RedisHandle | undefined;
}

/**
 * The database (migrated when so configured) and, when REDIS_URL is set, Redis; each closed by
 * the clean-up stack. Embedded storage is shared with the CLI unless it lives in memory (tests).
 */
export async function openStores(
  config: Config,
  options: {
    inMemory?: boolean | undefined;
    logger: Logger;
    /** With metrics on, every SQL query and Redis command is timed (storage latency). */
    metrics?: Metrics | undefined;
  },
  cleanups: Cleanups,
): Promise<Stores> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    inMemory: options.inMemory ?? false,
    share: !config.databaseUrl && !options.inMemory,
    preparedStatements: config.preparedStatements,
    logger: options.logger,
    onQuery: options.metrics?.storage(config.databaseUrl ? 'postgres' : 'embedded'),
  });
  cleanups.defer(() => database.close());
  const redis = config.redisUrl
    ? await openRedis({
        url: config.redisUrl,
        prefix: config.redisKeyPrefix,
        logger: options.logger,
        onCommand: options.metrics?.storage('redis'),
      })
    : undefined;
  if (redis) cleanups.defer(() => redis.close());
  if (config.migrateOnStart) await migrateToLatest(database.db);
  return { database, redis };
}

/** Deletes expired rows (tokens, attempt counters) from the SQL store every `seconds` (0: never); returns how to stop. */
export function schedulePurge(
  database: DatabaseHandle,
  seconds: number,
  logger: Logger,
): () => void {
  if (seconds === 0) return () => {};
  const timer = setInterval(() => {
    Promise.all([purgeExpiredPayloads(database.db), purgeExpiredAttemptCounters(database.db)]).then(
      ([payloads, counters]) =>
        payloads + counters && logger.debug({ payloads, counters }, 'purged expired rows'),
      (err: unknown) => logger.warn({ err }, 'purging expired rows failed'),
    );
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
