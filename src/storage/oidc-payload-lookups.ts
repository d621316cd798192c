import { type Kysely, sql } from 'kysely';
import type { AccountProfile } from './accounts.repository.ts';
import type { GrantRow } from './request-scope.ts';
import type { Database } from './schema.ts';

export interface PayloadRow {
  payload: Record<string, unknown>;
  consumed_at: Date | null;
  /** The database's clock when the row was read (grace windows are measured against it). */
  now: Date;
  /**
   * Read in the same statement when asked for: the row's grant (by its grant_id) and its account
   * (by payload.accountId), null when the row names one that is not there.
   */
  related?: {
    grant?: { id: string; row: GrantRow | null };
    account?: { id: string; row: AccountProfile | null };
  };
}

type Waiter = { resolve(row: PayloadRow | undefined): void; reject(error: unknown): void };
type Pending = { withRelated: boolean; byModel: Map<string, Waiter[]> };

/** The most ids one statement reads (or consumes: oidc-sql-adapter.ts); a larger batch is split. */
export const MAX_IDS = 16;

/**
 * Reads of live oidc_payloads rows by (model, id), batched. oidc-provider looks an opaque token
 * up in every model it could belong to at once (introspection and revocation ask AccessToken,
 * ClientCredentials and RefreshToken in parallel for the same value), and under load many
 * requests look their tokens up in the same turn of the event loop. The reads asked for until the
 * loop has handled every socket that was ready (the batch runs from setImmediate, right after
 * that) become one statement per shape (same models, same `withRelated`) instead of one per
 * read: one round trip to Postgres for a whole batch. With `withRelated`, that statement also
 * reads each row's grant and account (see request-scope.ts).
 */
export function createPayloadLookups(db: Kysely<Database>) {
  let pending: Map<string, Pending> | undefined;

  const flush = () => {
    const batch = pending ?? new Map<string, Pending>();
    pending = undefined;
    const shapes = new Map<string, { models: string[]; withRelated: boolean; ids: string[] }>();
    for (const [id, { withRelated, byModel }] of batch) {
      const models = [...byModel.keys()].sort();
      const key = `${withRelated}\n${models.join('\n')}`;
      const shape = shapes.get(key) ?? { models, withRelated, ids: [] };
      shape.ids.push(id);
      shapes.set(key, shape);
    }
    for (const { models, withRelated, ids } of shapes.values()) {
      for (let start = 0; start < ids.length; start += MAX_IDS) {
        const chunk = ids.slice(start, start + MAX_IDS);
        const waiters = (id: string) => (batch.get(id) as Pending).byModel;
        readRows(db, chunk, models, withRelated).then(
          (rows) => {
            for (const id of chunk)
              for (const [model, list] of waiters(id))
                for (const waiter of list) waiter.resolve(rows.get(rowKey(model, id)));
          },
          (error: unknown) => {
            for (const id of chunk)
              for (const list of waiters(id).values())
                for (const waiter of list) waiter.reject(error);
          },
        );
      }
    }
  };

  return {
    find(model: string, id: string, withRelated = false): Promise<PayloadRow | undefined> {
      if (!pending) {
        pending = new Map();
        setImmediate(flush);
      }
      const entry = pending.get(id) ?? { withRelated: false, byModel: new Map<string, Waiter[]>() };
      entry.withRelated ||= withRelated;
      pending.set(id, entry);
      return new Promise((resolve, reject) => {
        entry.byModel.set(model, [...(entry.byModel.get(model) ?? []), { resolve, reject }]);
      });
    },
  };
}

export type PayloadLookups = ReturnType<typeof createPayloadLookups>;

const rowKey = (model: string, id: string) => `${model}\n${id}`;

/**
 * The ids of a statement, their count rounded up to a power of two by repeating the last one, so
 * that a handful of statement texts (1, 2, 4, 8, 16 ids) serve every batch and each is prepared
 * once per connection (postgres-pool.ts).
 */
export function idList(ids: string[]) {
  let size = 1;
  while (size < ids.length) size *= 2;
  const padded = [...ids];
  while (padded.length < size) padded.push(ids[ids.length - 1] as string);
  return sql.join(padded);
}

/**
 * The live (unexpired) rows of `ids` in each of `models`, by model and id. Written as SQL text:
 * it runs for nearly every request, and building it with the query builder each time cost more
 * than the rest of the lookup (see docs/PERFORMANCE.md). `in ($1, $2…)`, not `= any($1)`: with
 * an array parameter Postgres never settles on a generic plan for the prepared statement and
 * plans it again on every execution.
 */
async function readRows(
  db: Kysely<Database>,
  ids: string[],
  models: string[],
  withRelated: boolean,
): Promise<Map<string, PayloadRow>> {
  if (!withRelated) {
    const { rows } = await sql<PayloadRow & { model: string; id: string }>`
      select model, id, payload, consumed_at, now() as now
        from oidc_payloads
       where id in (${idList(ids)})
         and model in (${sql.join(models)})
         and (expires_at is null or expires_at > now())
    `.execute(db);
    return new Map(rows.map(({ model, id, ...row }) => [rowKey(model, id), row]));
  }
  // The grant and the account as their own lookups would read them: a live Grant row, and the
  // account's columns but its password hash.
  const { rows } = await sql<RelatedRow>`
    select t.model, t.id, t.payload, t.consumed_at, now() as now,
           t.grant_id, g.payload as grant_payload, g.consumed_at as grant_consumed_at,
           t.payload->>'accountId' as account_ref,
           a.id as account_id, a.email as account_email,
           a.email_verified as account_email_verified, a.name as account_name,
           a.roles as account_roles, a.disabled_at as account_disabled_at,
           a.created_at as account_created_at, a.updated_at as account_updated_at
      from oidc_payloads t
      left join oidc_payloads g
        on g.model = 'Grant' and g.id = t.grant_id
       and (g.expires_at is null or g.expires_at > now())
      left join accounts a on a.id = t.payload->>'accountId'
     where t.id in (${idList(ids)})
       and t.model in (${sql.join(models)})
       and (t.expires_at is null or t.expires_at > now())
  `.execute(db);
  return new Map(rows.map((row) => [rowKey(row.model, row.id), withRelatedRows(row)]));
}

interface RelatedRow {
  model: string;
  id: string;
  payload: Record<string, unknown>;
  consumed_at: Date | null;
  now: Date;
  grant_id: string | null;
  grant_payload: Record<string, unknown> | null;
  grant_consumed_at: Date | null;
  account_ref: string | null;
  account_id: string | null;
  account_email: string;
  account_email_verified: boolean;
  account_name: string | null;
  account_roles: string[];
  account_disabled_at: Date | null;
  account_created_at: Date;
  account_updated_at: Date;
}

function withRelatedRows(row: RelatedRow): PayloadRow {
  const { payload, consumed_at, now } = row;
  const grant = row.grant_id
    ? {
        id: row.grant_id,
        row: row.grant_payload
          ? { payload: row.grant_payload, consumed_at: row.grant_consumed_at, now }
          : null,
      }
    : undefined;
  const account = row.account_ref
    ? {
        id: row.account_ref,
        row: row.account_id
          ? {
              id: row.account_id,
              email: row.account_email,
              email_verified: row.account_email_verified,
              name: row.account_name,
              roles: row.account_roles,
              disabled_at: row.account_disabled_at,
              created_at: row.account_created_at,
              updated_at: row.account_updated_at,
            }
          : null,
      }
    : undefined;
  return { payload, consumed_at, now, related: { grant, account } };
}
