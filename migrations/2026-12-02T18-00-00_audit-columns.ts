import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports from src/ and is never edited once released.

/**
 * The audit log of security events: who did it (`actor`), to which account and client, from
 * which IP and user agent. Each list filter of `portcullis audit list` has an index that also
 * orders by time (newest first), and the retention purge deletes by `created_at`.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are written against no fixed schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('audit_events')
    .addColumn('account_id', 'text')
    .addColumn('client_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await sql`create index audit_events_created_at_idx on audit_events (created_at, id)`.execute(db);
  await sql`create index audit_events_type_idx on audit_events (type, created_at)`.execute(db);
  await sql`
    create index audit_events_account_idx on audit_events (account_id, created_at)
    where account_id is not null
  `.execute(db);
  await sql`
    create index audit_events_client_idx on audit_events (client_id, created_at)
    where client_id is not null
  `.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['created_at', 'type', 'account', 'client']) {
    await sql`drop index ${sql.raw(`audit_events_${index}_idx`)}`.execute(db);
  }
  await db.schema
    .alterTable('audit_events')
    .dropColumn('account_id')
    .dropColumn('client_id')
    .dropColumn('ip')
    .dropColumn('user_agent')
    .execute();
}
