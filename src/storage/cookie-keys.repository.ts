import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { CookieKeysTable, Database } from './schema.ts';

export type CookieKeyRow = Selectable<CookieKeysTable>;
export type NewCookieKeyRow = Insertable<CookieKeysTable>;
export type CookieKeyChanges = Updateable<CookieKeysTable>;

const LIVE = ['next', 'current', 'retired'] as const;

export async function insertCookieKey(db: Kysely<Database>, row: NewCookieKeyRow) {
  await db.insertInto('cookie_keys').values(row).execute();
}

/** Keys that still verify cookies (next, current, retired), oldest first. */
export async function listLiveCookieKeys(db: Kysely<Database>): Promise<CookieKeyRow[]> {
  return db
    .selectFrom('cookie_keys')
    .selectAll()
    .where('state', 'in', LIVE)
    .orderBy('created_at')
    .execute();
}

/** Just enough to tell whether the live keys changed, without decrypting anything. */
export async function listLiveCookieKeyStates(db: Kysely<Database>) {
  return db
    .selectFrom('cookie_keys')
    .select(['id', 'state'])
    .where('state', 'in', LIVE)
    .orderBy('id')
    .execute();
}

export async function listCookieKeys(db: Kysely<Database>): Promise<CookieKeyRow[]> {
  return db.selectFrom('cookie_keys').selectAll().orderBy('created_at').execute();
}

export async function findCookieKey(
  db: Kysely<Database>,
  id: string,
): Promise<CookieKeyRow | undefined> {
  return db.selectFrom('cookie_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateCookieKey(
  db: Kysely<Database>,
  id: string,
  changes: CookieKeyChanges,
): Promise<void> {
  await db.updateTable('cookie_keys').set(changes).where('id', '=', id).execute();
}
