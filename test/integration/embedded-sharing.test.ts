import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type DatabaseHandle, openDatabase } from '../../src/storage/database.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import type { Database } from '../../src/storage/schema.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

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
  });

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

  it('rolls back a CLI that dies in a transaction, and lets the server go on', async () => {
    const client = new pg.Client({ host: dir.path, port: 5432, user: 'postgres' });
    client.on('error', () => {});
    await client.connect();
    await client.query('begin');
    await client.query(`insert into sharing_probe (id, source) values ($1, 'cli')`, ['x']);

    const serverWork = insert(server.db, 'y', 'server').then(() => ids(server.db));
    await sleep(WHILE_HELD_MS);
    client.connection.stream.destroy();

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

interface Frame {
  type: string;
  body: Buffer;
}

/** A session on the server's socket that speaks the wire protocol by hand. */
class WireSession {
  readonly #socket: Socket;
  #pending = Buffer.alloc(0);
  readonly #received: Frame[] = [];
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('error', () => {});
    socket.on('data', (chunk) => this.#read(chunk));
  }

  static async open(dataDir: string): Promise<WireSession> {
    const socket = connect(join(dataDir, '.s.PGSQL.5432'));
    await new Promise((resolve) => socket.once('connect', resolve));
    const session = new WireSession(socket);
    const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const header = Buffer.alloc(8);
    header.writeInt32BE(8 + params.length, 0);
    header.writeInt32BE(196608, 4);
    socket.write(Buffer.concat([header, params]));
    await session.until('Z');
    return session;
  }

  send(...frames: Buffer[]): void {
    this.#socket.write(Buffer.concat(frames));
  }

  /** The frames received up to and including the next one of `type`. */
  async until(type: string): Promise<Frame[]> {
    for (;;) {
      const at = this.#received.findIndex((frame) => frame.type === type);
      if (at >= 0) return this.#received.splice(0, at + 1);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #read(chunk: Buffer): void {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    while (this.#pending.length >= 5 && this.#pending.length > this.#pending.readInt32BE(1)) {
      const end = 1 + this.#pending.readInt32BE(1);
      this.#received.push({
        type: String.fromCharCode(this.#pending[0] ?? 0),
        body: this.#pending.subarray(5, end),
      });
      this.#pending = this.#pending.subarray(end);
    }
    this.#wake?.();
  }
}

/** A frontend message: type byte, int32 length, body. */
function frame(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const int16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const cstring = (text: string) => Buffer.from(`${text}\0`);

/** Parse into the unnamed statement, parameter types left to the server. */
const parse = (query: string) => frame('P', cstring(''), cstring(query), int16(0));

/** Bind text parameters to the unnamed portal; results in text. */
function bind(...params: string[]): Buffer {
  const encoded = params.map((param) => {
    const length = Buffer.alloc(4);
    length.writeInt32BE(Buffer.byteLength(param));
    return Buffer.concat([length, Buffer.from(param)]);
  });
  return frame('B', cstring(''), cstring(''), int16(0), int16(params.length), ...encoded, int16(0));
}

const execute = () => frame('E', cstring(''), Buffer.alloc(4));
const sync = () => frame('S');

/** The first column of every DataRow among `frames`. */
function values(frames: Frame[]): string[] {
  return frames
    .filter((frame) => frame.type === 'D')
    .map((frame) => frame.body.subarray(6, 6 + frame.body.readInt32BE(2)).toString());
}
