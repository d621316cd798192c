import pg from 'pg';

let count = 0;

/**
 * Counts the SQL statements the server sends to Postgres, by wrapping `pg.Client#query` in the
 * server process (benchmark only; the server's code is untouched). Statements per request is
 * the figure that explains most of what a database-backed path costs. Embedded PGlite is not
 * counted.
 */
export function countPostgresQueries(): () => number {
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
    count += 1;
    return (query as (...args: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  return () => count;
}
