import type { DatabaseConnection } from 'kysely';

/** Told how long one storage call took, in seconds. */
export type DurationObserver = (seconds: number) => void;

/**
 * Times every query of a kysely connection. Installed once per connection (kysely's
 * `onCreateConnection`, when the pool opens one), so a query pays two clock reads and nothing is
 * allocated for it beyond the call itself. A failed query is timed too: a slow failure is as
 * much storage latency as a slow answer.
 */
export async function timeQueries(
  connection: DatabaseConnection,
  observe: DurationObserver,
): Promise<void> {
  const execute = connection.executeQuery.bind(connection);
  connection.executeQuery = async (query, options) => {
    const started = performance.now();
    try {
      return await execute(query, options);
    } finally {
      observe((performance.now() - started) / 1000);
    }
  };
}
