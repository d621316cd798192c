import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports from src/ and is never edited once released.

/**
 * Grants and sessions found by their account, for revoking everything of an account that is
 * disabled without reading every stored payload.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are written against no fixed schema type
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create index oidc_payloads_account_idx on oidc_payloads ((payload->>'accountId'))
    where model in ('Grant', 'Session')
  `.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index oidc_payloads_account_idx`.execute(db);
}
