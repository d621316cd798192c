import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/** Channel on which a key change is announced to every instance (Postgres LISTEN/NOTIFY). */
export const KEY_CHANGES_CHANNEL = 'portcullis_keys';

/**
 * Serialises every change to signing and cookie keys across instances and the CLI. Taken inside
 * a transaction, released when it ends. PGlite runs in one process, where it works the same.
 */
export async function lockKeys(db: Kysely<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('portcullis.signing_keys'))`.execute(db);
}

/** Like lockKeys, but gives up at once (false) when another instance holds the lock. */
export async function tryLockKeys(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{
    locked: boolean;
  }>`select pg_try_advisory_xact_lock(hashtext('portcullis.signing_keys')) as locked`.execute(db);
  return rows[0]?.locked === true;
}

/** The database clock: one clock for every instance, whatever their own clocks say. */
export async function databaseNow(db: Kysely<Database>): Promise<Date> {
  const { rows } = await sql<{ now: Date }>`select clock_timestamp() as now`.execute(db);
  const now = rows[0]?.now;
  return now instanceof Date ? now : new Date(String(now));
}

/** Sent inside the transaction that changed keys; Postgres delivers it when that commits. */
export async function announceKeyChange(db: Kysely<Database>): Promise<void> {
  await sql`select pg_notify(${KEY_CHANGES_CHANNEL}, '')`.execute(db);
}
