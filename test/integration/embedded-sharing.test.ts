import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import type { Database } from '../../src/storage/schema.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';
import { bind, execute, parse, sync, values, WireSession } from '../support/wire-session.ts';

/**
 * A server on embedded storage shares its one PGlite session with the CLI over a unix socket.
 * Every query of either side must go through one serialising path: a transaction of one side
 * neither sees nor undoes the other's work, and the other side's queries wait for it to end.
 */

// Long enough for a query that is not held back to finish many times over.
const WHILE_HELD_MS = 150;

class RollBack extends Error {}

// The scratch table is outside the typed schema; raw SQL does not mind.
type Db = Kysely<Database>;

async function insert(db: Db, id: string, source: string): Promise<void> {
  await sql`insert into sharing_probe (id, source) values (${id}, ${source})`.execute(db);
}

async function ids(db: Db): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`select id from sharing_probe order by id`.execute(db);
  return rows.map((row) => row.id);
}

/** Whether `promise` has settled, read later (without awaiting it). */
function track(promise: Promise<unknown>): { settled: boolean } {
  const state = { settled: false };
  promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

describe('embedded storage shared between the server and the CLI', () => {
  let dir: TempDir;
  let server: DatabaseHandle;
  let cli: DatabaseHandle;

  beforeAll(async () => {
    dir = makeTempDir('portcullis-share-');
    server = await openDatabase({ dataDir: dir.path, share: true });
    await migrateToLatest(server.db);
    await sql`create table sharing_probe (id text primary key, source text not null)`.execute(
      server.db,
    );
    cli = await openDatabase({ dataDir: dir.path });
  }, 120_000); // creating a database on disk (PGlite's initdb) is slow on a busy machine

  afterAll(async () => {
    await cli?.close();
    await server?.close();
    dir?.remove();
  });

  beforeEach(async () => {
    await sql`truncate sharing_probe`.execute(server.db);
  });

  it('reaches the server through its socket', () => {
    expect(cli.kind).toBe('embedded-shared');
  });

  it('keeps the server out of a CLI transaction: its work survives the rollback', async () => {
    let serverWork: Promise<string[]> | undefined;
    let finishedWhileHeld = true;
    const cliTransaction = cli.db.transaction().execute(async (trx) => {
      await insert(trx, 'x', 'cli');
      serverWork = insert(server.db, 'y', 'server').then(() => ids(server.db));
      const state = track(serverWork);
      await sleep(WHILE_HELD_MS);
      finishedWhileHeld = state.settled;
      throw new RollBack();
    });

    await expect(cliTransaction).rejects.toThrow(RollBack);
    expect(await serverWork).toEqual(['y']);
    expect(await ids(server.db)).toEqual(['y']);
    expect(await ids(cli.db)).toEqual(['y']);
    expect(finishedWhileHeld).toBe(false);
  });

  it('keeps the CLI out of a server transaction: its work survives the rollback', async () => {
    const holding = Promise.withResolvers<void>();
    const inserted = Promise.withResolvers<void>();
    const serverTransaction = server.db.transaction().execute(async (trx) => {
      await insert(trx, 'x', 'server');
      inserted.resolve();
      await holding.promise;
      throw new RollBack();
    });
    await inserted.promise;

    const cliWork = insert(cli.db, 'y', 'cli').then(() => ids(cli.db));
    const state = track(cliWork);
    await sleep(WHILE_HELD_MS);
    const finishedWhileHeld = state.settled;
    holding.resolve();

    await expect(serverTransaction).rejects.toThrow(RollBack);
    expect(await cliWork).toEqual(['y']);
    expect(await ids(server.db)).toEqual(['y']);
    expect(finishedWhileHeld).toBe(false);
  });

  it.each([
    ['dies (its socket closes)', (client: pg.Client) => client.connection.stream.destroy()],
    ['says Terminate', (client: pg.Client) => void client.end()],
  ])('rolls back a CLI that %s in a transaction, and lets the server go on', async (_, leave) => {
    const client = new pg.Client({ host: dir.path, port: 5432, user: 'postgres' });
    client.on('error', () => {});
    await client.connect();
    await client.query('begin');
    await client.query(`insert into sharing_probe (id, source) values ($1, 'cli')`, ['x']);

    const serverWork = insert(server.db, 'y', 'server').then(() => ids(server.db));
    await sleep(WHILE_HELD_MS);
    leave(client);

    expect(await serverWork).toEqual(['y']);
    expect(await ids(cli.db)).toEqual(['y']);
  });

  it('aborts the statement of a CLI that dies between Execute and Sync', async () => {
    const session = await WireSession.open(dir.path);
    session.send(
      parse(`insert into sharing_probe (id, source) values ('x', 'cli')`),
      bind(),
      execute(),
    );
    await session.until('C');

    const serverWork = insert(server.db, 'y', 'server').then(() => ids(server.db));
    await sleep(WHILE_HELD_MS);
    session.destroy();

    expect(await serverWork).toEqual(['y']);
  });

  it('keeps a CLI connection’s unnamed statement its own until it syncs', async () => {
    const a = await WireSession.open(dir.path);
    const b = await WireSession.open(dir.path);
    try {
      a.send(parse('select $1::text as v'));
      await a.until('1');
      b.send(parse(`select 'from b' as v`));
      await sleep(WHILE_HELD_MS);
      a.send(bind('from a'), execute(), sync());
      const fromA = values(await a.until('Z'));
      b.send(bind(), execute(), sync());
      expect(fromA).toEqual(['from a']);
      expect(values(await b.until('Z'))).toEqual(['from b']);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('answers concurrent parameterised queries from two CLI connections and the server', async () => {
    const second = await openDatabase({ dataDir: dir.path });
    try {
      const sides: Db[] = [server.db, cli.db, second.db];
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => roundTrip(sides[i % sides.length] as Db, i)),
      );
      expect(results).toEqual(Array.from({ length: 60 }, (_, i) => `source ${i}`));
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from sharing_probe`.execute(server.db);
      expect(rows).toEqual([{ n: 60 }]);
    } finally {
      await second.close();
    }
  });
});

/** Writes a row and reads it back, every fifth time in a transaction. */
async function roundTrip(db: Db, i: number): Promise<string | undefined> {
  const run = async (executor: Db) => {
    await insert(executor, `id ${i}`, `source ${i}`);
    const { rows } = await sql<{ source: string }>`
      select source from sharing_probe where id = ${`id ${i}`}`.execute(executor);
    return rows[0]?.source;
  };
  return i % 5 === 0 ? db.transaction().execute(run) : run(db);
}
