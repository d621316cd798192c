import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Logger } from '../shared/logger.ts';
import { type DataDirLock, tryLockDataDir } from './data-dir-lock.ts';
import { GatedPGliteDialect } from './gated-pglite-dialect.ts';
import { listenOnPostgres } from './pg-listener.ts';
import { createPostgresPool, loggerOrStderr } from './postgres-pool.ts';
import { makeDataDirFilesPrivate, makeDataDirPrivate } from './private-data-dir.ts';
import { type DurationObserver, timeQueries } from './query-timing.ts';
import type { Database } from './schema.ts';
import { SessionGate } from './session-gate.ts';
import { type SharedSession, shareSession } from './shared-session.ts';

type DatabaseKind = 'postgres' | 'embedded' | 'embedded-shared';

export interface DatabaseHandle {
  db: Kysely<Database>;
  /** postgres: DATABASE_URL; embedded: PGlite in this process; embedded-shared: a server's PGlite. */
  kind: DatabaseKind;
  ping(): Promise<void>;
  /**
   * Calls `onNotify` when someone sends NOTIFY on `channel`, until the returned function is
   * called. Postgres: a dedicated connection. Embedded: PGlite's own listener (notifications sent
   * through the shared socket, by the CLI, do not reach it). Through the socket: none.
   */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** Keep embedded data in memory only (tests). */
  inMemory?: boolean;
  /**
   * Share an embedded database with other processes (the CLI) over a unix socket in dataDir.
   * The server sets this; the CLI connects to that socket when a server is running.
   */
  share?: boolean;
  poolSize?: number;
  /** Postgres: prepare hot statements (off behind a pooler that cannot keep them). */
  preparedStatements?: boolean;
  /** Where lost Postgres connections are reported; stderr (warnings only) without one. */
  logger?: Logger | undefined;
  /** Told how long each query took (the storage-latency metric); the server's database only. */
  onQuery?: DurationObserver | undefined;
}

// The name libpq gives a socket in a directory, so `pg` finds it with host=<dataDir>, port 5432.
const SOCKET_PORT = 5432;
const socketPathIn = (dir: string) => join(dir, `.s.PGSQL.${SOCKET_PORT}`);
const SOCKET_MAX_CONNECTIONS = 8;

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const pool = createPostgresPool(options.databaseUrl, {
      max: options.poolSize ?? 10,
      preparedStatements: options.preparedStatements ?? true,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    const { logger, onQuery } = options;
    const databaseUrl = options.databaseUrl;
    const dialect = new PostgresDialect({
      pool,
      ...(onQuery ? { onCreateConnection: (connection) => timeQueries(connection, onQuery) } : {}),
    });
    return handleFor(new Kysely<Database>({ dialect }), 'postgres', {
      listen: (channel, onNotify) => listenOnPostgres(databaseUrl, channel, onNotify, logger),
    });
  }
  if (options.inMemory) return openEmbedded(new PGlite(), undefined, options.onQuery);
  return openDataDir(options);
}

/**
 * Embedded storage in the data directory, which is made private to this user first
 * (private-data-dir.ts): through a running server's socket, or opened here.
 */
async function openDataDir(options: DatabaseOptions): Promise<DatabaseHandle> {
  const dataDir = resolve(options.dataDir);
  const dirWasOpen = makeDataDirPrivate(dataDir);
  const access = await openOrShare(dataDir, options.share ?? false);
  // Holding the lock, nobody else changes the files: those left open to others are closed.
  const filesWereOpen = 'db' in access ? 0 : makeDataDirFilesPrivate(dataDir);
  warnIfWasOpen(options.logger, dataDir, dirWasOpen, filesWereOpen);
  if ('db' in access) return access;
  const pglite = new PGlite(join(dataDir, 'pglite'));
  await pglite.waitReady;
  // PGlite unpacks a new database with every file 0666, whatever the umask (it sets their modes
  // itself); they are closed before the first query. Files Postgres creates later follow the umask.
  makeDataDirFilesPrivate(dataDir);
  return openEmbedded(pglite, options.share ? dataDir : undefined, options.onQuery, access);
}

function warnIfWasOpen(
  logger: Logger | undefined,
  dataDir: string,
  directory: boolean,
  files: number,
): void {
  if (!directory && files === 0) return;
  loggerOrStderr(logger).warn(
    { dataDir, directory, files },
    'the data directory was open to other users; it is now private to this one (0700)',
  );
}

const WAIT_FOR_DATA_DIR_MS = 30_000;

/**
 * One process opens an embedded data directory; others reach it through that process. The CLI
 * connects to a running server's socket, or, with no server, locks the directory and opens it.
 * A server that is still starting holds the lock before its socket exists, so the CLI waits for
 * the socket rather than opening the files a second time; likewise a server waits for a CLI
 * command that holds the lock to finish.
 */
async function openOrShare(dataDir: string, share: boolean): Promise<DatabaseHandle | DataDirLock> {
  const deadline = Date.now() + WAIT_FOR_DATA_DIR_MS;
  for (;;) {
    if (!share) {
      const shared = await connectToSharedSocket(dataDir);
      if (shared) return shared;
    }
    const lock = tryLockDataDir(dataDir);
    if (typeof lock !== 'number') return lock;
    if (Date.now() > deadline) {
      throw new Error(`the data directory ${dataDir} is in use by process ${lock}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Every query on an embedded database goes through one session gate (see session-gate.ts):
 * this process's, and, when shared, those of the processes on the socket. Opened without
 * sharing (the CLI alone, tests in memory), the gate is only ever taken by this process, and
 * taking a free gate costs next to nothing.
 */
async function openEmbedded(
  pglite: PGlite,
  shareIn: string | undefined,
  onQuery: DurationObserver | undefined,
  lock?: DataDirLock,
): Promise<DatabaseHandle> {
  await pglite.waitReady;
  const gate = new SessionGate();
  let shared: SharedSession | undefined;
  if (shareIn)
    shared = await shareSession(pglite, gate, socketPathIn(shareIn), SOCKET_MAX_CONNECTIONS);
  const dialect = new GatedPGliteDialect(pglite, gate, {
    ...(onQuery ? { onCreateConnection: (connection) => timeQueries(connection, onQuery) } : {}),
  });
  const db = new Kysely<Database>({ dialect });
  return handleFor(db, 'embedded', {
    listen: async (channel, onNotify) => {
      const unlisten = await gate.run(() => pglite.listen(channel, onNotify));
      return () => gate.run(() => unlisten());
    },
    beforeClose: async () => {
      await shared?.close();
    },
    afterClose: () => lock?.release(),
  });
}

/** A running server shares its embedded database on a socket; connect to it if one answers. */
async function connectToSharedSocket(dataDir: string): Promise<DatabaseHandle | undefined> {
  const path = socketPathIn(dataDir);
  if (!existsSync(path)) return undefined;
  const pool = new pg.Pool({
    host: dataDir,
    port: SOCKET_PORT,
    user: 'postgres',
    database: 'postgres',
    max: 1,
  });
  // Asked through kysely, so that destroying it ends the pool even if no command runs a query.
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await sql`select 1`.execute(db);
  } catch {
    // Nobody answers yet (a server starting) or any more (a server that died): the lock decides.
    await db.destroy();
    return undefined;
  }
  return handleFor(db, 'embedded-shared');
}

interface HandleExtras {
  listen?: DatabaseHandle['listen'];
  beforeClose?: () => Promise<void>;
  afterClose?: () => void;
}

function handleFor(
  db: Kysely<Database>,
  kind: DatabaseKind,
  extras: HandleExtras = {},
): DatabaseHandle {
  return {
    db,
    kind,
    async ping() {
      await sql`select 1`.execute(db);
    },
    listen: extras.listen ?? (async () => async () => {}),
    async close() {
      await extras.beforeClose?.();
      await db.destroy();
      extras.afterClose?.();
    },
  };
}
