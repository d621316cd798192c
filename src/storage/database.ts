import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { type DataDirLock, tryLockDataDir } from './data-dir-lock.ts';
import { listenOnPostgres } from './pg-listener.ts';
import { createPostgresPool } from './postgres-pool.ts';
import type { Database } from './schema.ts';

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
}

// The name libpq gives a socket in a directory, so `pg` finds it with host=<dataDir>, port 5432.
const SOCKET_PORT = 5432;
const socketPathIn = (dir: string) => join(dir, `.s.PGSQL.${SOCKET_PORT}`);

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const pool = createPostgresPool(options.databaseUrl, {
      max: options.poolSize ?? 10,
      preparedStatements: options.preparedStatements ?? true,
    });
    const databaseUrl = options.databaseUrl;
    return handleFor(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres', {
      listen: (channel, onNotify) => listenOnPostgres(databaseUrl, channel, onNotify),
    });
  }
  if (options.inMemory) return openEmbedded(new PGlite(), undefined);

  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const access = await openOrShare(dataDir, options.share ?? false);
  if ('db' in access) return access;
  return openEmbedded(
    new PGlite(join(dataDir, 'pglite')),
    options.share ? dataDir : undefined,
    access,
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

async function openEmbedded(
  pglite: PGlite,
  shareIn: string | undefined,
  lock?: DataDirLock,
): Promise<DatabaseHandle> {
  await pglite.waitReady;
  let server: PGLiteSocketServer | undefined;
  if (shareIn) {
    const path = socketPathIn(shareIn);
    // Holding the lock, any socket here is a leftover of a process that died.
    if (existsSync(path)) unlinkSync(path);
    server = new PGLiteSocketServer({ db: pglite, path, maxConnections: 8 });
    await server.start();
  }
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  return handleFor(db, 'embedded', {
    listen: async (channel, onNotify) => {
      const unlisten = await pglite.listen(channel, onNotify);
      return () => unlisten();
    },
    beforeClose: async () => {
      await server?.stop();
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
  try {
    const client = await pool.connect();
    client.release();
  } catch {
    // Nobody answers yet (a server starting) or any more (a server that died): the lock decides.
    await pool.end();
    return undefined;
  }
  return handleFor(
    new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    'embedded-shared',
  );
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
