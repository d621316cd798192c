import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports from src/ and is never edited once released.
//
// Key rotation: signing keys gain a promotion time (when a `next` key may start signing) and a
// removal time; a removed or revoked key loses its private half. At most one `current` and one
// `next` key per algorithm. Cookie-signing keys get a table of their own with the same lifecycle.

// biome-ignore lint/suspicious/noExplicitAny: migrations are written against no fixed schema type
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('signing_keys')
    .addColumn('promote_at', 'timestamptz')
    .addColumn('removed_at', 'timestamptz')
    .execute();
  await db.schema
    .alterTable('signing_keys')
    .alterColumn('private_jwk_encrypted', (col) => col.dropNotNull())
    .execute();
  await db.schema
    .createIndex('signing_keys_one_live_state_per_alg')
    .on('signing_keys')
    .columns(['alg', 'state'])
    .unique()
    .where(sql.ref('state'), 'in', ['current', 'next'])
    .execute();

  await db.schema
    .createTable('cookie_keys')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('secret_encrypted', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('promote_at', 'timestamptz')
    .addColumn('activated_at', 'timestamptz')
    .addColumn('retired_at', 'timestamptz')
    .addColumn('removed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('cookie_keys_one_live_state')
    .on('cookie_keys')
    .column('state')
    .unique()
    .where(sql.ref('state'), 'in', ['current', 'next'])
    .execute();
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('cookie_keys').execute();
  await db.schema.dropIndex('signing_keys_one_live_state_per_alg').execute();
  await db.deleteFrom('signing_keys').where('private_jwk_encrypted', 'is', null).execute();
  await db.schema
    .alterTable('signing_keys')
    .alterColumn('private_jwk_encrypted', (col) => col.setNotNull())
    .execute();
  await db.schema
    .alterTable('signing_keys')
    .dropColumn('promote_at')
    .dropColumn('removed_at')
    .execute();
}
