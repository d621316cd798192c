import type { Insertable, Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import { currentScope, takeReadAhead } from './request-scope.ts';
import type { AccountsTable, Database } from './schema.ts';

export type AccountRow = Selectable<AccountsTable>;
/** An account without its password hash, which only signing in needs. */
export type AccountProfile = Omit<AccountRow, 'password_hash'>;
export type NewAccountRow = Insertable<AccountsTable>;

export async function insertAccount(db: Kysely<Database>, row: NewAccountRow): Promise<AccountRow> {
  return db.insertInto('accounts').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findAccountById(db: Kysely<Database>, id: string) {
  return db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The account's profile; from what this request read ahead with its token, when it did. */
export async function findAccountProfile(
  db: Kysely<Database>,
  id: string,
): Promise<AccountProfile | undefined> {
  const scope = currentScope();
  const read = scope ? takeReadAhead(scope.accounts, id) : undefined;
  if (read !== undefined) return read ?? undefined;
  return db
    .selectFrom('accounts')
    .select([
      'id',
      'email',
      'email_verified',
      'name',
      'roles',
      'disabled_at',
      'created_at',
      'updated_at',
    ])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findAccountByEmail(db: Kysely<Database>, email: string) {
  return db
    .selectFrom('accounts')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function listAccounts(db: Kysely<Database>) {
  return db.selectFrom('accounts').selectAll().orderBy('created_at').execute();
}

export async function setAccountDisabled(db: Kysely<Database>, id: string, disabled: boolean) {
  const result = await db
    .updateTable('accounts')
    .set({ disabled_at: disabled ? new Date() : null, updated_at: new Date() })
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
