import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlAdapter } from '../../src/storage/oidc-sql-adapter.ts';
import { type SqlBackend, sqlBackends, type TestDatabase } from '../support/backends.ts';

const postgres = sqlBackends.find((backend) => backend.name === 'postgres');

/** 'consumed', or the error's message ('invalid_grant' when refused). */
const outcome = (consumption: Promise<void>) =>
  consumption.then(
    () => 'consumed',
    (error: Error) => error.message,
  );

/**
 * Two redemptions of one code at once, ordered by hand: the second waits on the first's row
 * lock, then re-checks the row the first has just consumed. (PGlite runs one statement at a
 * time, so only Postgres can be caught in this order.)
 */
describe.skipIf(!postgres)('a consumption that waited for another one, on Postgres', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await (postgres as SqlBackend).create();
  });
  afterAll(() => database?.drop());

  it.each([
    ['a code', 'AuthorizationCode', 0],
    ['a refresh token without a grace window', 'RefreshToken', 0],
  ])('refuses %s once the first redemption commits', async (_what, model, grace) => {
    const id = `race-${model}`;
    const adapter = createSqlAdapter(database.handle.db, model, { consumeGraceSeconds: grace });
    await adapter.upsert(id, { jti: id }, 60);
    const first = new pg.Client({ connectionString: database.url });
    await first.connect();
    try {
      await first.query('begin');
      await first.query('select 1 from oidc_payloads where model = $1 and id = $2 for update', [
        model,
        id,
      ]);
      // Its statement starts now, with its own now(), and waits for the lock.
      const second = outcome(adapter.consume(id));
      await sleep(300);
      await first.query(
        'update oidc_payloads set consumed_at = clock_timestamp() where model = $1 and id = $2',
        [model, id],
      );
      await first.query('commit');
      expect(await second).toBe('invalid_grant');
    } finally {
      await first.end();
    }
  });

  /**
   * Batches of two servers (or two connections of one) that share entries, in any order, end
   * with each entry consumed exactly once and no deadlock: both lock their rows in id order. The
   * held lock makes both batches wait at their first entry, so they run into each other.
   */
  it('consumes each shared entry once, whichever batch gets there first', async () => {
    const model = 'AuthorizationCode';
    const one = createSqlAdapter(database.handle.db, model);
    const other = createSqlAdapter(database.handle.db, model);
    const ids = ['shared-a', 'shared-b', 'shared-c'];
    for (const id of ids) await one.upsert(id, { jti: id }, 60);
    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select 1 from oidc_payloads where model = $1 and id = $2 for update', [
        model,
        'shared-a',
      ]);
      // The same entries, asked for in opposite orders by two batches on two connections.
      const first = Promise.all(ids.map((id) => outcome(one.consume(id))));
      const second = Promise.all([...ids].reverse().map((id) => outcome(other.consume(id))));
      await sleep(300);
      await holder.query('commit');
      const [firstResults, secondResults] = await Promise.all([first, second]);
      const byId = (results: string[], order: string[]) =>
        Object.fromEntries(order.map((id, index) => [id, results[index]]));
      const fromFirst = byId(firstResults, ids);
      const fromSecond = byId(secondResults, [...ids].reverse());
      for (const id of ids) {
        expect([fromFirst[id], fromSecond[id]].sort()).toEqual(['consumed', 'invalid_grant']);
      }
    } finally {
      await holder.end();
    }
  });
});
