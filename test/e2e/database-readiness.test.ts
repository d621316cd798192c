import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPortcullis } from '../../src/app/portcullis.ts';
import { loadConfig } from '../../src/config/load.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { adminQuery, sqlBackends, TEST_DATABASE_URL } from '../support/backends.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const MIGRATE_HINT = /PORTCULLIS_MIGRATE_ON_START is false: run `portcullis migrate`/;

/**
 * What the start says about a database it cannot run on: one without tables while migrations on
 * start are off, and (Postgres) one that does not exist. Each case starts a server on a database
 * of its own that nothing has migrated.
 */
describe.each(sqlBackends)('starting on an unprepared database, $name storage', (backend) => {
  let dir: TempDir;
  const databases: string[] = [];

  beforeAll(() => {
    dir = makeTempDir('portcullis-readiness-');
  });
  afterAll(async () => {
    for (const name of databases) {
      await adminQuery(String(TEST_DATABASE_URL), `drop database if exists ${name} with (force)`);
    }
    dir.remove();
  });

  /** An empty database: Postgres, created here; embedded, a data directory of its own. */
  async function emptyDatabase(): Promise<{ databaseUrl?: string; dataDir: string }> {
    const dataDir = mkdtempSync(join(dir.path, 'data-'));
    if (backend.name === 'embedded') return { dataDir };
    const name = `portcullis_test_${randomBytes(6).toString('hex')}`;
    await adminQuery(String(TEST_DATABASE_URL), `create database ${name}`);
    databases.push(name);
    const url = new URL(String(TEST_DATABASE_URL));
    url.pathname = `/${name}`;
    return { databaseUrl: url.toString(), dataDir };
  }

  const start = (settings: Record<string, unknown>) =>
    startPortcullis(
      loadConfig(
        { NODE_ENV: 'test' },
        {
          port: 0,
          host: '127.0.0.1',
          logLevel: 'silent',
          keyEncryptionKey: randomBytes(32).toString('base64'),
          ...settings,
        },
      ),
    );

  it('refuses a database without tables when migrations on start are off, naming the command', async () => {
    const database = await emptyDatabase();

    await expect(start({ ...database, migrateOnStart: false })).rejects.toMatchObject({
      code: 'migrations_pending',
      message: expect.stringMatching(MIGRATE_HINT),
    });
  });

  it('starts with migrations on start off once the database is migrated', async () => {
    const database = await emptyDatabase();
    const handle = await openDatabase(database);
    await migrateToLatest(handle.db);
    await handle.close();

    const portcullis = await start({ ...database, migrateOnStart: false });
    await portcullis.close();
  });

  if (backend.name === 'postgres') {
    it('says that a database does not exist, by name, instead of a failed migration', async () => {
      const url = new URL(String(TEST_DATABASE_URL));
      const name = `portcullis_missing_${randomBytes(4).toString('hex')}`;
      url.pathname = `/${name}`;

      for (const migrateOnStart of [true, false]) {
        await expect(
          start({ databaseUrl: url.toString(), dataDir: dir.path, migrateOnStart }),
        ).rejects.toMatchObject({
          code: 'database_missing',
          message: `database "${name}" does not exist on that Postgres server: create it (createdb ${name}) or correct DATABASE_URL.`,
        });
      }
    });
  }
});
