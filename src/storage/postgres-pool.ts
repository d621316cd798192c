import pg from 'pg';
import { DependencyUnavailableError } from '../shared/errors.ts';
import { createLogger, type Logger } from '../shared/logger.ts';

// Connection-level failures: refused or reset sockets, timeouts, and Postgres' own
// "admin shutdown / cannot connect now" (57P0x) and connection-exception (08xxx) classes.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || /^(08|57P0)/.test(code))) {
    return true;
  }
  return typeof message === 'string' && /Connection terminated|timeout expired/i.test(message);
}

async function guarded<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw isDatabaseUnavailable(error) ? new DependencyUnavailableError('postgres', error) : error;
  }
}

export interface PostgresPoolOptions {
  max: number;
  /** Prepare the statements the server runs again and again (see statementNames). */
  preparedStatements: boolean;
  /** Where connection failures are reported; stderr without one (see loggerOrStderr). */
  logger?: Logger;
}

/**
 * The logger a pool or a LISTEN connection reports to: the one its opener passed, else warnings
 * on stderr (never stdout, which may carry a command's JSON), so that no failure goes unseen.
 */
export function loggerOrStderr(logger: Logger | undefined): Logger {
  return logger ?? createLogger('warn', process.stderr);
}

/**
 * A pg pool whose connection failures surface as DependencyUnavailableError, so a request that
 * needs Postgres while it is down fails closed with a 503 like one that needs Redis.
 */
export function createPostgresPool(connectionString: string, options: PostgresPoolOptions) {
  const pool = new pg.Pool({ connectionString, max: options.max, connectionTimeoutMillis: 5_000 });
  // An idle connection that Postgres terminates (restart, failover) is dropped from the pool
  // and replaced on next use; without a listener its error would end the process. The error
  // carries no connection string, so no password reaches the log.
  const logger = loggerOrStderr(options.logger);
  pool.on('error', (err) =>
    logger.warn({ err }, 'idle Postgres connection lost; the pool opens another when needed'),
  );
  const nameOf = options.preparedStatements ? statementNames() : () => undefined;
  // The pool hands out the same client objects again and again: each is wrapped once.
  const wrapped = new WeakSet<pg.PoolClient>();
  const wrap = (client: pg.PoolClient) => {
    if (wrapped.has(client)) return client;
    wrapped.add(client);
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    client.query = ((...args: unknown[]) => {
      const [text, values] = args;
      // Only the promise form with an array of values (or none) is named; callbacks, configs and
      // submittables go through as they are.
      const plain =
        typeof text === 'string' &&
        args.length <= 2 &&
        (values === undefined || Array.isArray(values));
      const name = plain ? nameOf(text) : undefined;
      const result = name ? query({ name, text, values }) : query(...args);
      return isPromise(result) ? guarded(result) : result;
    }) as pg.PoolClient['query'];
    return client;
  };
  const connectToPool = pool.connect.bind(pool) as (
    callback?: (error: Error | undefined, client?: pg.PoolClient, done?: unknown) => void,
  ) => Promise<pg.PoolClient> | undefined;
  // pg-pool's own query() connects with a callback; Kysely with the promise.
  const connect = (
    callback?: (error: Error | undefined, client?: pg.PoolClient, done?: unknown) => void,
  ) =>
    callback
      ? connectToPool((error, client, done) => callback(error, client && wrap(client), done))
      : guarded(connectToPool() as Promise<pg.PoolClient>).then(wrap);
  return Object.assign(pool, { connect }) as pg.Pool;
}

const MAX_PREPARED_STATEMENTS = 500;

/**
 * Names for the statements worth preparing. Most of Postgres' work on a token request is
 * planning its statements, not running them (a primary-key lookup: 0.2 ms planning, 0.04 ms
 * executing); a named statement is parsed and planned once per connection, then only bound and
 * run. Named: data statements without `*`, whose result columns cannot change when a migration
 * adds a column (a prepared `select *` would fail with "cached plan must not change result
 * type"). The first MAX_PREPARED_STATEMENTS such texts get names; the rest run unnamed.
 */
function statementNames(): (text: string) => string | undefined {
  const names = new Map<string, string>();
  return (text) => {
    let name = names.get(text);
    if (
      name === undefined &&
      names.size < MAX_PREPARED_STATEMENTS &&
      /^\s*(select|insert|update|delete|with)\s/i.test(text) &&
      !text.includes('*')
    ) {
      name = `portcullis_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | undefined)?.then === 'function';
}
