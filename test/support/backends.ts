import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createLogger } from '../../src/shared/logger.ts';
import { type DatabaseHandle, openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { openRedis, type RedisHandle } from '../../src/storage/redis.ts';

/**
 * The SQL backends every integration and e2e suite runs on: embedded PGlite always, and a real
 * Postgres when TEST_DATABASE_URL is set. Each Postgres use gets a database of its own, created
 * and migrated here and dropped by `drop()`; the server's own database is never touched.
 */
export interface SqlBackend {
  name: 'embedded' | 'postgres' | 'postgres+redis';
  /** A fresh database, migrated unless `migrate` is false; `url` is set for Postgres. */
  create(options?: { migrate?: boolean }): Promise<TestDatabase>;
  /** For a whole server: the Redis it uses besides SQL (see serverBackends). */
  redisUrl?: string;
}

export interface TestDatabase {
  handle: DatabaseHandle;
  url: string | undefined;
  drop(): Promise<void>;
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

const embedded: SqlBackend = {
  name: 'embedded',
  async create({ migrate = true } = {}) {
    const handle = await openDatabase({ dataDir: '.', inMemory: true });
    if (migrate) await migrateToLatest(handle.db);
    return { handle, url: undefined, drop: () => handle.close() };
  },
};

const postgres = (adminUrl: string): SqlBackend => ({
  name: 'postgres',
  async create({ migrate = true } = {}) {
    const name = `portcullis_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(adminUrl, `create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: '.' });
    if (migrate) await migrateToLatest(handle.db);
    return {
      handle,
      url: url.toString(),
      async drop() {
        await handle.close();
        await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
      },
    };
  },
});

/** One statement on the server's admin database (create or drop a database). */
export async function adminQuery(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export const sqlBackends: SqlBackend[] = [
  embedded,
  ...(TEST_DATABASE_URL ? [postgres(TEST_DATABASE_URL)] : []),
];

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL;

/**
 * What e2e suites run a whole server on: every SQL backend, and Postgres + Redis (the production
 * shape) when both TEST_DATABASE_URL and TEST_REDIS_URL are set.
 */
export const serverBackends: SqlBackend[] = [
  ...sqlBackends,
  ...(TEST_DATABASE_URL && TEST_REDIS_URL
    ? [
        {
          ...postgres(TEST_DATABASE_URL),
          name: 'postgres+redis' as const,
          redisUrl: TEST_REDIS_URL,
        },
      ]
    : []),
];

/**
 * A slice of the test Redis of its own: a random key prefix, so that suites running at the same
 * time (and other users of that Redis) never see each other's keys. `drop()` deletes the keys
 * under the prefix (SCAN is fine here: it only ever runs against a test Redis).
 */
export interface TestRedis {
  url: string;
  prefix: string;
  handle: RedisHandle;
  /** Every key under this prefix, sorted. */
  keys(): Promise<string[]>;
  drop(): Promise<void>;
}

export async function createTestRedis(url: string): Promise<TestRedis> {
  const prefix = `portcullis-test:${randomBytes(6).toString('hex')}:`;
  const handle = await openRedis({ url, prefix, logger: createLogger('silent') });
  const keys = async () => {
    const found: string[] = [];
    for await (const batch of handle.client.scanStream({ match: `${prefix}*`, count: 500 })) {
      found.push(...(batch as string[]));
    }
    return found.sort();
  };
  return {
    url,
    prefix,
    handle,
    keys,
    async drop() {
      const leftover = await keys();
      if (leftover.length) await handle.client.del(...leftover);
      await handle.close();
    },
  };
}
