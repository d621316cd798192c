import type { Insertable, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import { holdsNul } from './nul.ts';
import { takeReadAhead } from './request-scope.ts';
import type { AccountsTable, Database } from './schema.ts';

export type AccountRow = Selectable<AccountsTable>;
export type NewAccountRow = Insertable<AccountsTable>;

/**
 * The columns of an account's profile: all but its password hash, which only signing in needs.
 * The one list of them: read here, and with a token (oidc-payload-lookups.ts).
 */
export const ACCOUNT_PROFILE_COLUMNS = [
  'id',
  'email',
  'email_verified',
  'name',
  'roles',
  'disabled_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof AccountsTable)[];

export type AccountProfile = Pick<AccountRow, (typeof ACCOUNT_PROFILE_COLUMNS)[number]>;

/**
 * The profiles a request read ahead with its token, by id (null: read, and not there); each is
 * taken once. See request-scope.ts.
 */
export type AccountsReadAhead = Map<string, AccountProfile | null>;

export async function insertAccount(db: Kysely<Database>, row: NewAccountRow): Promise<AccountRow> {
  return db.insertInto('accounts').values(row).returningAll().executeTakeFirstOrThrow();
}

/** An id or email holding a NUL matches no account (see nul.ts), here and below. */
export async function findAccountById(db: Kysely<Database>, id: string) {
  if (holdsNul(id)) return undefined;
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The account's profile: from `readAhead` when the request read it there, else from the table. */
export async function findAccountProfile(
  db: Kysely<Database>,
  id: string,
  readAhead?: AccountsReadAhead,
): Promise<AccountProfile | undefined> {
  const read = readAhead ? takeReadAhead(readAhead, id) : undefined;
  if (read !== undefined) return read ?? undefined;
  if (holdsNul(id)) return undefined;
  return db
    .selectFrom('accounts')
    .select(ACCOUNT_PROFILE_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findAccountByEmail(db: Kysely<Database>, email: string) {
  if (holdsNul(email)) return undefined;
  return db
    .selectFrom('accounts')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function listAccounts(db: Kysely<Database>) {
  return db.selectFrom('accounts').selectAll().orderBy('created_at').execute();
}

export async function setAccountPasswordHash(db: Kysely<Database>, id: string, hash: string) {
  const result = await db
    .updateTable('accounts')
    .set({ password_hash: hash, updated_at: new Date() })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function setAccountDisabled(db: Kysely<Database>, id: string, disabled: boolean) {
  if (holdsNul(id)) return false;
  const result = await db
    .updateTable('accounts')
    .set({ disabled_at: disabled ? new Date() : null, updated_at: new Date() })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
