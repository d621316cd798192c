import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, SigningKeysTable } from './schema.ts';

export type SigningKeyRow = Selectable<SigningKeysTable>;
export type NewSigningKeyRow = Insertable<SigningKeysTable>;
export type SigningKeyChanges = Updateable<SigningKeysTable>;

const PUBLISHED = ['next', 'current', 'retired'] as const;

export async function insertSigningKey(db: Kysely<Database>, row: NewSigningKeyRow) {
  await db.insertInto('signing_keys').values(row).execute();
}

/** Keys that are published in JWKS, oldest first. */
export async function listPublishedSigningKeys(db: Kysely<Database>): Promise<SigningKeyRow[]> {
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .where('state', 'in', PUBLISHED)
    .orderBy('created_at')
    .execute();
}

/** Just enough to tell whether the published keys changed, without decrypting anything. */
export async function listPublishedSigningKeyStates(db: Kysely<Database>) {
  return db
    .selectFrom('signing_keys')
    .select(['kid', 'state'])
    .where('state', 'in', PUBLISHED)
    .orderBy('kid')
    .execute();
}

export async function listSigningKeys(db: Kysely<Database>): Promise<SigningKeyRow[]> {
  return db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute();
}

export async function findSigningKey(
  db: Kysely<Database>,
  kid: string,
): Promise<SigningKeyRow | undefined> {
  return db.selectFrom('signing_keys').selectAll().where('kid', '=', kid).executeTakeFirst();
}

export async function updateSigningKey(
  db: Kysely<Database>,
  kid: string,
  changes: SigningKeyChanges,
): Promise<void> {
  await db.updateTable('signing_keys').set(changes).where('kid', '=', kid).execute();
}
