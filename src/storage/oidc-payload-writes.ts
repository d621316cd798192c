import { type Kysely, sql } from 'kysely';
import { batchPerTurn } from './batch.ts';
import type { PayloadWrite } from './oidc-payload-rows.ts';
import type { Database } from './schema.ts';

/**
 * The models whose writes a request may defer to its end (see request-scope.ts): tokens and
 * codes, whose values only the request's own response carries. Grants and sessions are not:
 * another request (the same browser's next one) can learn their ids before this one ends.
 */
const DEFERRED_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'RefreshToken',
  'ClientCredentials',
  'AuthorizationCode',
]);

export const isDeferred = (model: string): boolean => DEFERRED_MODELS.has(model);

/**
 * Inserts or replaces entries in one statement, whatever their number: the rows travel as one
 * array per column, so that one statement text (prepared once per connection) serves every call.
 * Written as SQL text, not built per call: every token and code issued goes through here. Two
 * rows for the same entry must not be in one call (Postgres refuses to update a row twice in one
 * statement): see batchedPayloadWrites.
 */
export async function writePayloads(db: Kysely<Database>, rows: PayloadWrite[]): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(pick: (row: PayloadWrite) => T) => rows.map(pick);
  await sql`
    insert into oidc_payloads (model, id, payload, grant_id, user_code, uid, expires_at)
    select model, id, payload, grant_id, user_code, uid, expires_at
      from unnest(
        ${column((row) => row.model)}::text[], ${column((row) => row.id)}::text[],
        ${column((row) => row.json)}::jsonb[], ${column((row) => row.grantId)}::text[],
        ${column((row) => row.userCode)}::text[], ${column((row) => row.uid)}::text[],
        ${column((row) => row.expiresAt)}::timestamptz[]
      ) as rows (model, id, payload, grant_id, user_code, uid, expires_at)
    on conflict (model, id) do update
       set payload = excluded.payload, grant_id = excluded.grant_id,
           user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at
  `.execute(db);
}

/**
 * writePayloads for the deferred writes of every request (request-scope.ts), batched per turn of
 * the event loop (batch.ts): under load, the tokens of many requests cost one round trip to
 * Postgres. A later row for the same entry replaces an earlier one, as a later write would have.
 * If the statement fails, every request of the batch fails (none gets a token that was not
 * stored).
 */
export function batchedPayloadWrites(
  db: Kysely<Database>,
): (rows: PayloadWrite[]) => Promise<void> {
  return batchPerTurn<PayloadWrite[], void>(async (requests) => {
    const rows = new Map<string, PayloadWrite>();
    for (const row of requests.flat()) rows.set(`${row.model}\n${row.id}`, row);
    await writePayloads(db, [...rows.values()]);
    return requests.map(() => undefined);
  });
}

/** Deletes rows that expired; expired rows are already invisible to reads. */
export async function purgeExpiredPayloads(db: Kysely<Database>): Promise<number> {
  const result = await db
    .deleteFrom('oidc_payloads')
    .where('expires_at', '<', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
