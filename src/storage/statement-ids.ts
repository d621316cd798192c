import { sql } from 'kysely';

/** The most ids one statement reads or consumes; a larger batch is split (see batch.ts). */
export const MAX_IDS = 16;

/**
 * The ids of a statement, their count rounded up to a power of two by repeating the last one, so
 * that a handful of statement texts (1, 2, 4, 8, 16 ids) serve every batch and each is prepared
 * once per connection (postgres-pool.ts).
 */
export function idList(ids: string[]) {
  let size = 1;
  while (size < ids.length) size *= 2;
  const padded = [...ids];
  while (padded.length < size) padded.push(ids[ids.length - 1] as string);
  return sql.join(padded);
}
