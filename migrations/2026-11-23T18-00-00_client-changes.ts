import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports from src/ and is never edited once released.

/**
 * Every change to a client is announced on the `portcullis_client_changes` channel with its
 * client_id (an empty payload when the table is truncated), so that servers caching client
 * lookups evict them at once whoever made the change. Inserts need no announcement: lookups of
 * unknown clients are never cached.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations are written against no fixed schema type
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function portcullis_announce_client_change() returns trigger
    language plpgsql as $$
    begin
      if tg_op = 'TRUNCATE' then
        perform pg_notify('portcullis_client_changes', '');
      else
        perform pg_notify('portcullis_client_changes', old.client_id);
      end if;
      return null;
    end
    $$
  `.execute(db);
  await sql`
    create trigger clients_announce_change
    after update or delete on clients
    for each row execute function portcullis_announce_client_change()
  `.execute(db);
  await sql`
    create trigger clients_announce_truncate
    after truncate on clients
    for each statement execute function portcullis_announce_client_change()
  `.execute(db);
}

// biome-ignore lint/suspicious/noExplicitAny: see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger clients_announce_truncate on clients`.execute(db);
  await sql`drop trigger clients_announce_change on clients`.execute(db);
  await sql`drop function portcullis_announce_client_change()`.execute(db);
}
