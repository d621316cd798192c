import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { createPayloadLookups } from '../../src/storage/oidc-payload-lookups.ts';
import { writePayloads } from '../../src/storage/oidc-payload-writes.ts';
import { createSqlAdapter } from '../../src/storage/oidc-sql-adapter.ts';
import { createPostgresPool } from '../../src/storage/postgres-pool.ts';
import { requestScopes } from '../../src/storage/request-scope.ts';
import { adminQuery, TEST_DATABASE_URL } from '../support/backends.ts';

const TOKEN_MODELS = ['AccessToken', 'ClientCredentials', 'RefreshToken'];

const admin = (statement: string) => adminQuery(TEST_DATABASE_URL as string, statement);

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
  /** The prepared statements whose text is `like` the pattern, with their count of generic plans. */
  const planned = async (handle: DatabaseHandle, pattern: string) => {
    const { rows } = await sql<{ statement: string; generic_plans: number }>`
      select statement, generic_plans::int from pg_prepared_statements
       where not from_sql and statement like ${pattern}
         and statement not like '%pg_prepared_statements%'
    `.execute(handle.db);
    return rows;
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

  it('plans the token lookups once: Postgres settles on a generic plan for them', async () => {
    const handle = await open(true);
    try {
      // Postgres decides between plans on the table's statistics: give it a table with rows.
      await sql`
        insert into oidc_payloads (model, id, payload, grant_id)
        select m, m || '-' || n, '{}'::jsonb, 'grant-' || n
          from unnest(${TOKEN_MODELS}::text[]) as m, generate_series(1, 5000) as n
      `.execute(handle.db);
      await sql`analyze oidc_payloads`.execute(handle.db);
      const lookups = createPayloadLookups(handle.db);
      const inRequest = requestScopes((rows) => writePayloads(handle.db, rows));
      const adapters = TOKEN_MODELS.map((model) => createSqlAdapter(handle.db, model, { lookups }));
      for (let i = 0; i < 10; i += 1) {
        // As introspection asks (every token model at once), and as userinfo does, in a request.
        await Promise.all(adapters.map((adapter) => adapter.find(`token-${i}`)));
        await inRequest({}, () => adapters[0]?.find(`token-${i}`) ?? Promise.resolve());
        // Three requests' lookups in one turn: one statement for three ids (padded to four).
        await Promise.all([1, 2, 3].map((n) => adapters[0]?.find(`token-${i}-${n}`)));
      }
      const rows = await planned(handle, '%from oidc_payloads%');
      expect(rows).toHaveLength(3);
      for (const row of rows) expect(row.generic_plans).toBeGreaterThan(0);
    } finally {
      await handle.close();
    }
  });

  it('plans consumptions once too: one prepared text per batch size, planned generically', async () => {
    const handle = await open(true);
    try {
      await sql`
        insert into oidc_payloads (model, id, payload)
        select 'RefreshToken', 'rt-' || n, '{}'::jsonb from generate_series(1, 5000) as n
      `.execute(handle.db);
      await sql`analyze oidc_payloads`.execute(handle.db);
      const adapter = createSqlAdapter(handle.db, 'RefreshToken', { consumeGraceSeconds: 10 });
      let next = 1;
      for (let i = 0; i < 10; i += 1) {
        // One request's refresh, then three at once (one statement, its list padded to four).
        await adapter.consume(`rt-${next++}`);
        await Promise.all([1, 2, 3].map(() => adapter.consume(`rt-${next++}`)));
      }
      const rows = await planned(handle, '%update oidc_payloads%');
      expect(rows).toHaveLength(2);
      for (const row of rows) expect(row.generic_plans).toBeGreaterThan(0);
    } finally {
      await handle.close();
    }
  });

  it('stores any number of rows with one prepared statement', async () => {
    const handle = await open(true);
    try {
      for (const count of [1, 2, 7]) {
        const ids = Array.from({ length: count }, (_, index) => `written-${count}-${index}`);
        await writePayloads(
          handle.db,
          ids.map((id) => ({
            model: 'AccessToken',
            id,
            json: JSON.stringify({ jti: id }),
            grantId: null,
            userCode: null,
            uid: null,
            expiresAt: null,
          })),
        );
      }
      const statements = await prepared(handle);
      expect(statements.filter((text) => text.includes('insert into oidc_payloads'))).toHaveLength(
        1,
      );
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

  it("still answers pg's callback forms: pool.query, and client.query with a callback", async () => {
    const pool = createPostgresPool(url, { max: 1, preparedStatements: true });
    try {
      expect((await pool.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
      const client = await pool.connect();
      try {
        const rows = await new Promise((resolve, reject) => {
          client.query('select 2 as two', (error: Error | undefined, result: pg.QueryResult) =>
            error ? reject(error) : resolve(result.rows),
          );
        });
        expect(rows).toEqual([{ two: 2 }]);
      } finally {
        client.release();
      }
      expect((await pool.query('select 3 as three')).rows).toEqual([{ three: 3 }]);
    } finally {
      await pool.end();
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
