import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseHandle, openDatabase } from '../../src/storage/database.ts';
import { type BenchDatabase, createBenchDatabase } from './postgres.ts';
import { type BenchRedis, openBenchRedis } from './redis.ts';

export interface Backend {
  /** One line for the output: which storage, where, and what happens to it at the end. */
  description: string;
  kind: 'postgres' | 'embedded';
  /** A temporary directory for this run: embedded data, server log, profiles. */
  workDir: string;
  database: BenchDatabase | undefined;
  redis: BenchRedis | undefined;
  /** The storage part of the server's environment. */
  serverEnv: Record<string, string>;
  /** The benchmark's own connection, for seeding; embedded storage must be served already. */
  connect(): Promise<DatabaseHandle>;
  cleanup(): Promise<void>;
}

/**
 * Real Postgres when BENCH_DATABASE_URL (or DATABASE_URL) is set, else embedded PGlite; Redis as
 * well when BENCH_REDIS_URL (or REDIS_URL) is. Either way the run gets storage of its own.
 */
export async function prepareBackend(env: NodeJS.ProcessEnv, runId: string): Promise<Backend> {
  const workDir = mkdtempSync(join(tmpdir(), `portcullis-bench-${runId}-`));
  const adminUrl = env.BENCH_DATABASE_URL || env.DATABASE_URL;
  const redisUrl = env.BENCH_REDIS_URL || env.REDIS_URL;
  const database = adminUrl ? await createBenchDatabase(adminUrl, runId) : undefined;
  const redis = redisUrl
    ? await openBenchRedis(redisUrl, runId).catch(async (error: unknown) => {
        await database?.drop();
        throw error;
      })
    : undefined;
  const dataDir = join(workDir, 'data');
  return {
    description: describe(database, redis, workDir),
    kind: database ? 'postgres' : 'embedded',
    workDir,
    database,
    redis,
    serverEnv: {
      PORTCULLIS_DATA_DIR: dataDir,
      ...(database ? { DATABASE_URL: database.url } : {}),
      ...(redis ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: redis.prefix } : {}),
    },
    connect: () => openDatabase({ databaseUrl: database?.url, dataDir, poolSize: 4 }),
    async cleanup() {
      await redis?.cleanup();
      await database?.drop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

function describe(
  database: BenchDatabase | undefined,
  redis: BenchRedis | undefined,
  workDir: string,
): string {
  const sql = database
    ? `Postgres ${database.version} at ${database.where} (database ${database.name}, dropped at the end)`
    : `embedded PGlite in the server process (under ${workDir}, removed at the end)`;
  const cache = redis
    ? ` + Redis ${redis.version} at ${redis.where} (keys under ${redis.prefix}, deleted at the end)`
    : ' (no Redis: BENCH_REDIS_URL/REDIS_URL not set)';
  return sql + cache;
}
