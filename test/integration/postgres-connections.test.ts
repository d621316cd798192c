import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/shared/logger.ts';
import { keepListening, listenOnPostgres } from '../../src/storage/pg-listener.ts';
import { createPostgresPool } from '../../src/storage/postgres-pool.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';

const postgres = sqlBackends.find((backend) => backend.name === 'postgres');
const CHANNEL = 'portcullis_listener_test';
const APPLICATION_NAME = 'portcullis-listener-test';

function capturingLogger() {
  const lines: { level: number; msg: string; err?: { message: string } }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('debug', destination), lines };
}

describe('a LISTEN connection that cannot connect', () => {
  let refusing: Server;
  let attempts = 0;
  beforeAll(async () => {
    refusing = createServer((socket) => {
      attempts += 1;
      socket.destroy();
    }).listen(0, '127.0.0.1');
    await once(refusing, 'listening');
  });
  afterAll(() => refusing.close());

  it('rejects its first attempt, keeps trying until stopped, then tries no more', async () => {
    const { port } = refusing.address() as { port: number };
    const { logger } = capturingLogger();
    const listener = keepListening({
      connectionString: `postgres://portcullis@127.0.0.1:${port}/portcullis`,
      channel: CHANNEL,
      retryMs: 20,
      logger,
      onNotify: () => {},
    });
    await expect(listener.first).rejects.toThrow();
    await vi.waitFor(() => expect(attempts).toBeGreaterThanOrEqual(3));
    await listener.stop();
    const stoppedAt = attempts;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(attempts).toBe(stoppedAt);
  });
});

describe.skipIf(!postgres)('connections to Postgres that fail', () => {
  let database: TestDatabase;
  let url: string;
  beforeAll(async () => {
    database = await (postgres as NonNullable<typeof postgres>).create();
    url = database.url as string;
  });
  afterAll(() => database?.drop());

  const notify = (payload: string) =>
    sql`select pg_notify(${CHANNEL}, ${payload})`.execute(database.handle.db);
  const terminate = (where: ReturnType<typeof sql>) =>
    sql`select pg_terminate_backend(pid) from pg_stat_activity where ${where}`.execute(
      database.handle.db,
    );

  it('LISTEN hears notifications again after its connection is terminated, logging the gap once', async () => {
    const { logger, lines } = capturingLogger();
    const heard: (string | undefined)[] = [];
    const states: boolean[] = [];
    const listener = keepListening({
      connectionString: url,
      channel: CHANNEL,
      applicationName: APPLICATION_NAME,
      retryMs: 50,
      logger,
      onNotify: (payload) => heard.push(payload),
      onLive: (live) => states.push(live),
    });
    try {
      await listener.first;
      expect(states).toEqual([true]);
      await notify('one');
      await vi.waitFor(() => expect(heard).toEqual(['one']));

      await terminate(sql`application_name = ${APPLICATION_NAME}`);
      await vi.waitFor(() => expect(states).toEqual([true, false, true]), { timeout: 5_000 });
      await notify('two');
      await vi.waitFor(() => expect(heard).toEqual(['one', 'two']));
      expect(lines.filter((line) => line.level >= 30).map((line) => line.msg)).toEqual([
        'LISTEN connection lost; reconnecting',
        'LISTEN connection is back',
      ]);
    } finally {
      await listener.stop();
    }
    expect(states.at(-1)).toBe(false);
  });

  it('listenOnPostgres looks once whenever LISTEN is in place, having missed what came before', async () => {
    const { logger } = capturingLogger();
    let looks = 0;
    const unlisten = await listenOnPostgres(url, CHANNEL, () => (looks += 1), logger);
    try {
      expect(looks).toBe(1);
      await notify('');
      await vi.waitFor(() => expect(looks).toBe(2));
      await terminate(sql`query = ${`LISTEN "${CHANNEL}"`} and datname = current_database()`);
      await vi.waitFor(() => expect(looks).toBe(3), { timeout: 10_000, interval: 100 });
    } finally {
      await unlisten();
    }
  });

  it('the pool logs an idle connection that Postgres terminates, and opens another', async () => {
    const { logger, lines } = capturingLogger();
    const pool = createPostgresPool(url, { max: 1, preparedStatements: false, logger });
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
      client.release();
      await terminate(sql`pid = ${rows[0]?.pid}`);
      await vi.waitFor(() =>
        expect(lines.map((line) => line.msg)).toContain(
          'idle Postgres connection lost; the pool opens another when needed',
        ),
      );
      expect(JSON.stringify(lines)).not.toContain(url);
      const again = await pool.query<{ one: number }>('select 1 as one');
      expect(again.rows).toEqual([{ one: 1 }]);
    } finally {
      await pool.end();
    }
  });
});
