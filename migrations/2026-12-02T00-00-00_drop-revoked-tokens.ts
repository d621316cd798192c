import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports from src/ and is never edited once released.

// The deny-list of revoked tokens was written, migrated and purged, but nothing ever asked it
// whether a token was revoked: a store nobody reads is dropped rather than kept "for later".
// `down` recreates it exactly as 2026-11-23T17-00-00_revoked_tokens made it.
// biome-ignore lint/suspicious/noExplicitAny: migrations are written against no fixed schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('revoked_tokens').execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('revoked_tokens')
    .addColumn('jti', 'text', (col) => col.primaryKey())
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addColumn('revoked_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('revoked_tokens_expires_at_idx')
    .on('revoked_tokens')
    .columns(['expires_at'])
    .execute();
}
