import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import {
  createPayloadLookups,
  idList,
  MAX_IDS,
  type PayloadLookups,
  type PayloadRow,
} from './oidc-payload-lookups.ts';
import {
  currentScope,
  type PayloadWrite,
  type RequestScope,
  settleWrites,
  takeReadAhead,
} from './request-scope.ts';
import type { Database } from './schema.ts';

const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

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

export interface SqlAdapterOptions {
  /**
   * For this long after an entry is first consumed, it still reads as unconsumed and may be
   * consumed again (refresh tokens: see consume below). 0, the default, means never.
   */
  consumeGraceSeconds?: number;
  /** Shared by the adapters of one server, so that reads across models and requests are batched. */
  lookups?: PayloadLookups;
}

/**
 * Stores one oidc-provider model in the `oidc_payloads` table. Every model shares the table,
 * keyed by (model, id); the lookup columns (grant_id, uid, user_code) are copied out of the
 * payload so that the secondary lookups are indexed.
 */
export function createSqlAdapter(
  db: Kysely<Database>,
  model: string,
  options: SqlAdapterOptions = {},
): Adapter {
  const lookups = options.lookups ?? createPayloadLookups(db);
  const grace = options.consumeGraceSeconds ?? 0;
  const graceStart = sql<Date>`now() - make_interval(secs => ${grace})`;
  const consumes = batchedConsumes(db, model, graceStart, grace > 0);
  // Within the grace window a consumed entry reads as unconsumed.
  const consumedAt =
    grace > 0
      ? sql<Date | null>`case when consumed_at <= ${graceStart} then consumed_at end`
      : sql<Date | null>`consumed_at`;
  // The same rule for a row read by the batched lookups, against the database's clock.
  const graced = (row: PayloadRow | undefined) =>
    grace > 0 && row?.consumed_at && row.consumed_at.getTime() > row.now.getTime() - grace * 1000
      ? { ...row, consumed_at: null }
      : row;
  const live = () =>
    db
      .selectFrom('oidc_payloads')
      .select(['payload', consumedAt.as('consumed_at')])
      .where('model', '=', model)
      .where((eb) =>
        eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]),
      );

  // A grant written in this request must not be answered from what was read before the write.
  const forget = (scope: RequestScope | undefined, id: string) => {
    if (model === 'Grant') scope?.grants.delete(id);
  };
  // Every call but a deferred write first stores what the request deferred.
  const settled = async () => {
    const scope = currentScope();
    await settleWrites(scope);
    return scope;
  };

  const toPayload = (
    row: { payload: Record<string, unknown>; consumed_at: Date | null } | undefined,
  ) =>
    row
      ? ({
          ...row.payload,
          ...(row.consumed_at ? { consumed: epoch(row.consumed_at) } : {}),
        } as AdapterPayload)
      : undefined;

  return {
    async upsert(id, payload, expiresIn) {
      const row: PayloadWrite = {
        model,
        id,
        json: JSON.stringify(payload),
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
      };
      const scope = currentScope();
      forget(scope, id);
      if (scope && DEFERRED_MODELS.has(model)) {
        scope.writes.set(`${model}\n${id}`, row);
        return;
      }
      await settleWrites(scope);
      await writePayloads(db, [row]);
    },

    async find(id) {
      const scope = await settled();
      if (scope && model === 'Grant') {
        const row = takeReadAhead(scope.grants, id);
        if (row !== undefined) return toPayload(row ?? undefined);
      }
      const row = await lookups.find(model, id, scope !== undefined);
      if (scope && row?.related) keepRelated(scope, row.related);
      return toPayload(graced(row));
    },

    async findByUid(uid) {
      await settled();
      return toPayload(await live().where('uid', '=', uid).executeTakeFirst());
    },

    async findByUserCode(userCode) {
      await settled();
      return toPayload(await live().where('user_code', '=', userCode).executeTakeFirst());
    },

    /** Marks the entry consumed, if nobody did before (see batchedConsumes). */
    async consume(id) {
      await settled();
      await consumes(id);
    },

    async destroy(id) {
      forget(await settled(), id);
      await db
        .deleteFrom('oidc_payloads')
        .where('model', '=', model)
        .where('id', '=', id)
        .execute();
    },

    async revokeByGrantId(grantId) {
      forget(await settled(), grantId);
      await db
        .deleteFrom('oidc_payloads')
        .where('model', '=', model)
        .where('grant_id', '=', grantId)
        .execute();
    },
  };
}

/** Deletes rows that expired; expired rows are already invisible to reads. */
export async function purgeExpiredPayloads(db: Kysely<Database>): Promise<number> {
  const result = await db
    .deleteFrom('oidc_payloads')
    .where('expires_at', '<', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Leaves the grant and account read with a token for the lookups of this request to take. */
function keepRelated(scope: RequestScope, related: NonNullable<PayloadRow['related']>): void {
  if (related.grant) scope.grants.set(related.grant.id, related.grant.row);
  if (related.account) scope.accounts.set(related.account.id, related.account.row);
}

/**
 * Inserts or replaces entries in one statement, whatever their number: the rows travel as one
 * array per column, so that one statement text (prepared once per connection) serves every call.
 * Written as SQL text, not built per call: every token and code issued goes through here. The
 * lookup columns are copied out of each payload. Two rows for the same entry must not be in one
 * call (Postgres refuses to update a row twice in one statement): see batchedPayloadWrites.
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
 * writePayloads for the deferred writes of every request (request-scope.ts), batched: the rows
 * handed over until the event loop has handled every socket that was ready (the batch runs from
 * setImmediate, right after that) are stored in one statement, and each caller's promise settles
 * with it. Under load, the tokens of many requests cost one round trip to Postgres. A later row
 * for the same entry replaces an earlier one, as a later write would have. If the statement
 * fails, every request of the batch fails (none gets a token that was not stored).
 */
export function batchedPayloadWrites(db: Kysely<Database>) {
  let batch: Map<string, PayloadWrite> | undefined;
  let stored: Promise<void> = Promise.resolve();
  return (rows: PayloadWrite[]): Promise<void> => {
    if (!batch) {
      const entries = new Map<string, PayloadWrite>();
      batch = entries;
      stored = new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          batch = undefined;
          writePayloads(db, [...entries.values()]).then(resolve, reject);
        });
      });
    }
    for (const row of rows) batch.set(`${row.model}\n${row.id}`, row);
    return stored;
  };
}

/**
 * consume() for every request of a turn of the event loop at once (the batch runs from
 * setImmediate, as the lookups do): under load, the codes or refresh tokens of many requests are
 * marked consumed by one statement. Each entry is consumed only if nobody did before: of two
 * redemptions of one entry, exactly one succeeds and the other is refused (invalid_grant),
 * whether they share a batch or not. With a grace window (`graced`), a consumption within the
 * window of the first one succeeds too and keeps the first time, so the window never slides;
 * redemptions in one batch are all within it. If the statement fails, every consumption of the
 * batch fails with it.
 */
function batchedConsumes(
  db: Kysely<Database>,
  model: string,
  graceStart: RawBuilder<Date>,
  graced: boolean,
) {
  type Waiter = { resolve(): void; reject(error: unknown): void };
  let pending: Map<string, Waiter[]> | undefined;

  const flush = () => {
    const batch = pending ?? new Map<string, Waiter[]>();
    pending = undefined;
    const ids = [...batch.keys()];
    for (let start = 0; start < ids.length; start += MAX_IDS) {
      const chunk = ids.slice(start, start + MAX_IDS);
      consumeRows(db, model, chunk, graceStart, graced).then(
        (consumed) => {
          for (const id of chunk) {
            (batch.get(id) as Waiter[]).forEach((waiter, index) => {
              // Without a window, the first redemption of an entry in the batch is its only one.
              if (consumed.has(id) && (graced || index === 0)) waiter.resolve();
              else waiter.reject(new errors.InvalidGrant(`${model} was already used`));
            });
          }
        },
        (error: unknown) => {
          for (const id of chunk)
            for (const waiter of batch.get(id) as Waiter[]) waiter.reject(error);
        },
      );
    }
  };

  return (id: string): Promise<void> => {
    if (!pending) {
      pending = new Map();
      setImmediate(flush);
    }
    const waiters = pending.get(id) ?? [];
    pending.set(id, waiters);
    return new Promise((resolve, reject) => {
      waiters.push({ resolve, reject });
    });
  };
}

/**
 * Marks the entries of `ids` consumed that nobody consumed before (or, with a window, did within
 * it) and returns those. One statement decides, so concurrent statements cannot both slip past
 * it: the rows are locked in id order, so two statements sharing entries never deadlock, and
 * one that waited for another re-checks each row once the other commits. (Unconsumed means
 * `consumed_at is null`, not `consumed_at > now()`: the statement that waited re-checks against
 * its own, earlier now(), and the winner's later timestamp would let it through.) SQL text, like
 * the upsert: every code exchange and refresh runs it.
 */
async function consumeRows(
  db: Kysely<Database>,
  model: string,
  ids: string[],
  graceStart: RawBuilder<Date>,
  graced: boolean,
): Promise<Set<string>> {
  const unconsumed = graced
    ? sql`(consumed_at is null or consumed_at > ${graceStart})`
    : sql`consumed_at is null`;
  const { rows } = await sql<{ id: string }>`
    with target as (
      select id from oidc_payloads
       where model = ${model} and id in (${idList(ids)}) and ${unconsumed}
       order by id
         for update
    )
    update oidc_payloads p set consumed_at = coalesce(p.consumed_at, now())
      from target
     where p.model = ${model} and p.id = target.id
    returning p.id
  `.execute(db);
  return new Set(rows.map((row) => row.id));
}
