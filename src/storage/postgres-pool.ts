import pg from 'pg';
import { DependencyUnavailableError } from '../errors.ts';

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

/**
 * A pg pool whose connection failures surface as DependencyUnavailableError, so a request that
 * needs Postgres while it is down fails closed with a 503 like one that needs Redis.
 */
export function createPostgresPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, connectionTimeoutMillis: 5_000 });
  // An idle connection that Postgres terminates (restart, failover) is dropped from the pool
  // and replaced on next use; without a listener its error would end the process.
  pool.on('error', () => {});
  const guardClient = (client: pg.PoolClient) =>
    new Proxy(client, {
      get(target, property) {
        const value = Reflect.get(target, property, target);
        if (property === 'query') {
          return (...args: Parameters<pg.PoolClient['query']>) =>
            guarded(Promise.resolve(Reflect.apply(value, target, args)));
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return new Proxy(pool, {
    get(target, property) {
      if (property === 'connect') return () => guarded(target.connect()).then(guardClient);
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
