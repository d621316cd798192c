import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, SigningKeysTable } from './schema.ts';

export type SigningKeyRow = Selectable<SigningKeysTable>;
export type NewSigningKeyRow = Insertable<SigningKeysTable>;

export async function insertSigningKey(db: Kysely<Database>, row: NewSigningKeyRow) {
  await db.insertInto('signing_keys').values(row).execute();
}

/** Keys that are published in JWKS, oldest first. */
export async function listPublishedSigningKeys(db: Kysely<Database>): Promise<SigningKeyRow[]> {
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .where('state', 'in', ['next', 'current', 'retired'])
    .orderBy('created_at')
    .execute();
}

export async function listSigningKeys(db: Kysely<Database>): Promise<SigningKeyRow[]> {
  return db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute();
}
