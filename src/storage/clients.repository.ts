import type { Insertable, Kysely, Selectable } from 'kysely';
import { holdsNul } from './nul.ts';
import type { ClientsTable, Database } from './schema.ts';

export type ClientRow = Selectable<ClientsTable>;
export type NewClientRow = Insertable<ClientsTable>;

export async function insertClient(db: Kysely<Database>, row: NewClientRow): Promise<ClientRow> {
  return db.insertInto('clients').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A client_id holding a NUL matches no client (see nul.ts), here and below. */
export async function findClientById(db: Kysely<Database>, clientId: string) {
  if (holdsNul(clientId)) return undefined;
  return db.selectFrom('clients').selectAll().where('client_id', '=', clientId).executeTakeFirst();
}

export async function listClients(db: Kysely<Database>) {
  return db.selectFrom('clients').selectAll().orderBy('created_at').execute();
}

export async function deleteClient(db: Kysely<Database>, clientId: string): Promise<boolean> {
  if (holdsNul(clientId)) return false;
  const result = await db
    .deleteFrom('clients')
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function updateClientSecretHash(
  db: Kysely<Database>,
  clientId: string,
  secretHash: string,
): Promise<boolean> {
  if (holdsNul(clientId)) return false;
  const result = await db
    .updateTable('clients')
    .set({ secret_hash: secretHash, updated_at: new Date() })
    .where('client_id', '=', clientId)
    .where('secret_hash', 'is not', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
