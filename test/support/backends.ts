import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type DatabaseHandle, openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';

/**
 * The SQL backends every integration and e2e suite runs on: embedded PGlite always, and a real
 * Postgres when TEST_DATABASE_URL is set. Each Postgres use gets a database of its own, created
 * and migrated here and dropped by `drop()`; the server's own database is never touched.
 */
export interface SqlBackend {
  name: 'embedded' | 'postgres';
  /** A fresh, migrated database; `url` is set for Postgres. */
  create(): Promise<TestDatabase>;
}

export interface TestDatabase {
  handle: DatabaseHandle;
  url: string | undefined;
  drop(): Promise<void>;
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

const embedded: SqlBackend = {
  name: 'embedded',
  async create() {
    const handle = await openDatabase({ dataDir: '.', inMemory: true });
    await migrateToLatest(handle.db);
    return { handle, url: undefined, drop: () => handle.close() };
  },
};

const postgres = (adminUrl: string): SqlBackend => ({
  name: 'postgres',
  async create() {
    const name = `portcullis_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(adminUrl, `create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const handle = await openDatabase({ databaseUrl: url.toString(), dataDir: '.' });
    await migrateToLatest(handle.db);
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

async function adminQuery(adminUrl: string, statement: string): Promise<void> {
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
