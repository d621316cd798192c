import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { TEST_DATABASE_URL } from '../support/backends.ts';

const admin = async (statement: string) => {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
};

describe.skipIf(!TEST_DATABASE_URL)('prepared statements on Postgres', () => {
  const name = `portcullis_test_${randomBytes(6).toString('hex')}`;
  let url: string;

  beforeAll(async () => {
    await admin(`create database ${name}`);
    const parsed = new URL(TEST_DATABASE_URL as string);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
  });
  afterAll(() => admin(`drop database if exists ${name} with (force)`));

  /** One connection, so that pg_prepared_statements (per connection) shows what it prepared. */
  const open = async (preparedStatements: boolean) => {
    const handle = await openDatabase({
      databaseUrl: url,
      dataDir: '.',
      poolSize: 1,
      preparedStatements,
    });
    await migrateToLatest(handle.db);
    return handle;
  };
  const prepared = async (handle: DatabaseHandle) => {
    const { rows } = await sql<{ statement: string }>`
      select statement from pg_prepared_statements where not from_sql
    `.execute(handle.db);
    return rows.map((row) => row.statement);
  };

  it('prepares the statements that list their columns, and runs them again prepared', async () => {
    const handle = await open(true);
    try {
      const byId = (id: string) =>
        handle.db.selectFrom('accounts').select(['id', 'email']).where('id', '=', id).execute();
      await byId('a');
      expect(await byId('b')).toEqual([]);
      await handle.db.selectFrom('accounts').selectAll().execute();
      const statements = await prepared(handle);
      expect(statements).toContainEqual(
        expect.stringMatching(/select "id", "email" from "accounts"/),
      );
      expect(statements.filter((text) => /from "accounts" where "id"/.test(text))).toHaveLength(1);
      // A prepared `select *` would fail once a migration adds a column; it is never prepared.
      expect(statements.some((text) => text.includes('*'))).toBe(false);
    } finally {
      await handle.close();
    }
  });

  it('keeps working when a migration adds a column under a prepared statement', async () => {
    const handle = await open(true);
    try {
      const read = () =>
        handle.db.selectFrom('accounts').select(['id', 'name']).where('email', '=', 'x').execute();
      await read();
      await sql`alter table accounts add column nickname text`.execute(handle.db);
      try {
        expect(await read()).toEqual([]);
        expect(await handle.db.selectFrom('accounts').selectAll().execute()).toEqual([]);
      } finally {
        await sql`alter table accounts drop column nickname`.execute(handle.db);
      }
    } finally {
      await handle.close();
    }
  });

  it('prepares nothing when turned off (for a pooler in transaction mode)', async () => {
    const handle = await open(false);
    try {
      await handle.db.selectFrom('accounts').select(['id']).execute();
      expect(await prepared(handle)).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
