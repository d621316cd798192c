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

/**
 * Reads of live oidc_payloads rows by (model, id), coalesced. oidc-provider looks an opaque token
 * up in every model it could belong to at once (introspection and revocation ask AccessToken,
 * ClientCredentials and RefreshToken in parallel for the same value); the reads of one id asked
 * for in the same tick become a single query instead of one per model. With `withRelated`, that
 * query also reads the row's grant and account (see request-scope.ts).
 */
export function createPayloadLookups(db: Kysely<Database>) {
  let pending: Map<string, Pending> | undefined;

  const flush = () => {
    const batch = pending ?? new Map<string, Pending>();
    pending = undefined;
    for (const [id, { withRelated, byModel }] of batch) {
      readModels(db, id, [...byModel.keys()].sort(), withRelated).then(
        (rows) => {
          for (const [model, waiters] of byModel) {
            for (const waiter of waiters) waiter.resolve(rows.get(model));
          }
        },
        (error: unknown) => {
          for (const waiters of byModel.values())
            for (const waiter of waiters) waiter.reject(error);
        },
      );
    }
  };

  return {
    find(model: string, id: string, withRelated = false): Promise<PayloadRow | undefined> {
      if (!pending) {
        pending = new Map();
        queueMicrotask(flush);
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

/**
 * The live (unexpired) rows of `id` in each of `models`, by model. Written as SQL text: it runs
 * for nearly every request, and building it with the query builder each time cost more than the
 * rest of the lookup (see docs/PERFORMANCE.md). `model in ($2, $3…)`, not `model = any($2)`:
 * with an array parameter Postgres never settles on a generic plan for the prepared statement and
 * plans it again on every execution.
 */
async function readModels(
  db: Kysely<Database>,
  id: string,
  models: string[],
  withRelated: boolean,
): Promise<Map<string, PayloadRow>> {
  if (!withRelated) {
    const { rows } = await sql<PayloadRow & { model: string }>`
      select model, payload, consumed_at, now() as now
        from oidc_payloads
       where id = ${id}
         and model in (${sql.join(models)})
         and (expires_at is null or expires_at > now())
    `.execute(db);
    return new Map(rows.map((row) => [row.model, row]));
  }
  // The grant and the account as their own lookups would read them: a live Grant row, and the
  // account's columns but its password hash.
  const { rows } = await sql<RelatedRow>`
    select t.model, t.payload, t.consumed_at, now() as now,
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
     where t.id = ${id}
       and t.model in (${sql.join(models)})
       and (t.expires_at is null or t.expires_at > now())
  `.execute(db);
  return new Map(rows.map((row) => [row.model, withRelatedRows(row)]));
}

interface RelatedRow {
  model: string;
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
