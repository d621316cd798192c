import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports from src/ and is never edited once released.

/**
 * Counters of failed attempts (passwords, client secrets) per account, client and IP, shared by
 * every instance when there is no Redis. The shape is rate-limiter-flexible's Postgres store:
 * `key` (a hash, never an email or IP in clear), points consumed, and expiry in epoch ms.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are written against no fixed schema type
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table attempt_counters (
      key varchar(255) primary key,
      points integer not null default 0,
      expire bigint
    )
  `.execute(db);
  await sql`create index attempt_counters_expire on attempt_counters (expire)`.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table attempt_counters`.execute(db);
}
