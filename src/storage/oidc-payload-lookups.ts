import { type Kysely, sql } from 'kysely';
import { ACCOUNT_PROFILE_COLUMNS, type AccountProfile } from './accounts.repository.ts';
import { batchPerTurn, groupBy, splitByKey } from './batch.ts';
import type { PayloadRow } from './oidc-payload-rows.ts';
import type { Database } from './schema.ts';
import { idList, MAX_IDS } from './statement-ids.ts';

/** A row looked up, with what was read with it when asked for. */
export interface LookedUpRow extends PayloadRow {
  /** The row's grant (by its grant_id) and account (by payload.accountId); null: not there. */
  related?: {
    grant?: { id: string; row: PayloadRow | null } | undefined;
    account?: { id: string; row: AccountProfile | null } | undefined;
  };
}

type Lookup = { model: string; id: string; withRelated: boolean };

/**
 * Reads of live oidc_payloads rows by (model, id), batched per turn of the event loop
 * (batch.ts). oidc-provider looks an opaque token up in every model it could belong to at once
 * (introspection and revocation ask AccessToken, ClientCredentials and RefreshToken in parallel
 * for the same value), and under load many requests look their tokens up in the same turn. The
 * reads of a batch become one statement per shape (the ids asked for in the same models, with
 * the same `withRelated`), at most MAX_IDS ids each, instead of one per read. With
 * `withRelated`, that statement also reads each row's grant and account (see request-scope.ts).
 */
export function createPayloadLookups(db: Kysely<Database>) {
  const lookup = batchPerTurn<Lookup, LookedUpRow | undefined>(async (lookups) => {
    const ids = [...new Set(lookups.map(({ id }) => id))];
    const models = [...new Set(lookups.map(({ model }) => model))].sort();
    const withRelated = lookups.some((lookup) => lookup.withRelated);
    const rows = await readRows(db, ids, models, withRelated);
    return lookups.map(({ model, id }) => rows.get(rowKey(model, id)));
  }, byShape);
  return {
    find(model: string, id: string, withRelated = false): Promise<LookedUpRow | undefined> {
      return lookup({ model, id, withRelated });
    },
  };
}

export type PayloadLookups = ReturnType<typeof createPayloadLookups>;

/**
 * Cuts a batch into statements: the ids asked for in the same set of models, with the same
 * `withRelated` (an id asked for with it in any model is read with it in all), MAX_IDS at most.
 */
function byShape(lookups: Lookup[]): Lookup[][] {
  const shapeOf = (ofId: Lookup[]) => {
    const models = [...new Set(ofId.map(({ model }) => model))].sort();
    return `${ofId.some(({ withRelated }) => withRelated)}\n${models.join('\n')}`;
  };
  const shapes = groupBy(
    groupBy(lookups, ({ id }) => id),
    shapeOf,
  );
  return shapes.flatMap((ofIds) => splitByKey(ofIds.flat(), ({ id }) => id, MAX_IDS));
}

const rowKey = (model: string, id: string) => `${model}\n${id}`;

/** The account's profile columns, each as `account_<column>`: the list is accounts.repository's. */
const ACCOUNT_SELECTION = sql.raw(
  ACCOUNT_PROFILE_COLUMNS.map((column) => `a.${column} as account_${column}`).join(', '),
);

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
): Promise<Map<string, LookedUpRow>> {
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
  // account's profile.
  const { rows } = await sql<RelatedRow>`
    select t.model, t.id, t.payload, t.consumed_at, now() as now,
           t.grant_id, g.payload as grant_payload, g.consumed_at as grant_consumed_at,
           t.payload->>'accountId' as account_ref, ${ACCOUNT_SELECTION}
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

type RelatedRow = PayloadRow & {
  model: string;
  id: string;
  grant_id: string | null;
  grant_payload: Record<string, unknown> | null;
  grant_consumed_at: Date | null;
  account_ref: string | null;
  account_id: string | null;
} & Record<`account_${(typeof ACCOUNT_PROFILE_COLUMNS)[number]}`, unknown>;

function withRelatedRows(row: RelatedRow): LookedUpRow {
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
    ? { id: row.account_ref, row: row.account_id ? accountOf(row) : null }
    : undefined;
  return { payload, consumed_at, now, related: { grant, account } };
}

/** The account columns of a related row, by their own names. */
function accountOf(row: RelatedRow): AccountProfile {
  const columns = ACCOUNT_PROFILE_COLUMNS.map((column) => [column, row[`account_${column}`]]);
  return Object.fromEntries(columns) as AccountProfile;
}
