import { type Kysely, sql } from 'kysely';
import type { Adapter } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { consumeGrace } from './consume-grace.ts';
import { holdsNul, refuseNulPayload } from './nul.ts';
import { batchedConsumes } from './oidc-payload-consume.ts';
import { createPayloadLookups, type PayloadLookups } from './oidc-payload-lookups.ts';
import { type PayloadRow, payloadWrite, toPayload } from './oidc-payload-rows.ts';
import { isDeferred, writePayloads } from './oidc-payload-writes.ts';
import {
  currentScope,
  keepReadAhead,
  type RequestScope,
  settleWrites,
  takeReadAhead,
} from './request-scope.ts';
import type { Database } from './schema.ts';

export interface SqlAdapterOptions {
  /** The model's consume grace window (consume-grace.ts); 0, the default, means none. */
  consumeGraceSeconds?: number;
  /** Shared by the adapters of one server, so that reads across models and requests are batched. */
  lookups?: PayloadLookups;
}

/**
 * Stores one oidc-provider model in the `oidc_payloads` table (see docs/STORAGE.md for the walk
 * of a request through it). Every method runs within the request's scope when there is one:
 * oidc-provider calls adapters with ids alone, so the scope comes from currentScope(). The
 * statements live by concern: the batched reads (oidc-payload-lookups.ts), consume
 * (oidc-payload-consume.ts), the writes (oidc-payload-writes.ts); this file assembles them.
 */
export function createSqlAdapter(
  db: Kysely<Database>,
  model: string,
  options: SqlAdapterOptions = {},
): Adapter {
  const lookups = options.lookups ?? createPayloadLookups(db);
  const grace = consumeGrace(options.consumeGraceSeconds ?? 0);
  const consume = batchedConsumes(db, model, grace);
  const read = (row: PayloadRow | null | undefined) => toPayload(row && grace.seen(row));

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
  const findBy = async (column: 'uid' | 'user_code', value: string) => {
    if (holdsNul(value)) return undefined;
    await settled();
    const row = await db
      .selectFrom('oidc_payloads')
      .select(['payload', 'consumed_at', sql<Date>`now()`.as('now')])
      .where('model', '=', model)
      .where(column, '=', value)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', sql<Date>`now()`)]))
      .executeTakeFirst();
    return read(row);
  };

  return {
    async upsert(id, payload, expiresIn) {
      const row = payloadWrite(model, id, payload, expiresIn);
      refuseNulPayload(row.json);
      const scope = currentScope();
      // A replayed refresh answers with the first rotation's successor (refresh-successors.ts):
      // the refresh token oidc-provider issued for the replay goes to nobody, so it is not kept.
      if (model === 'RefreshToken' && scope?.replayedRefresh) return;
      forget(scope, id);
      if (scope && isDeferred(model)) {
        scope.writes.set(`${model}\n${id}`, row);
        return;
      }
      await settleWrites(scope);
      await writePayloads(db, [row]);
    },

    // Ids holding a NUL match nothing stored (nul.ts): no statement, and none in a batch.
    async find(id) {
      if (holdsNul(id)) return undefined;
      const scope = await settled();
      const readAhead = scope && model === 'Grant' ? takeReadAhead(scope.grants, id) : undefined;
      if (readAhead !== undefined) return read(readAhead);
      const row = await lookups.find(model, id, scope !== undefined);
      if (scope && row?.related) keepReadAhead(scope, row.related);
      return read(row);
    },

    findByUid: (uid) => findBy('uid', uid),

    findByUserCode: (userCode) => findBy('user_code', userCode),

    /**
     * Marks the entry consumed, if it may be (oidc-payload-consume.ts); else invalid_grant. A
     * consumption within the grace window that was not the first marks the request a replay.
     */
    async consume(id) {
      if (holdsNul(id)) throw new errors.InvalidGrant(`${model} was not found`);
      const scope = await settled();
      const consumption = await consume(id);
      if (consumption === 'refused') throw new errors.InvalidGrant(`${model} was already used`);
      if (consumption === 'again' && scope) scope.replayedRefresh = true;
    },

    async destroy(id) {
      if (holdsNul(id)) return;
      forget(await settled(), id);
      await db
        .deleteFrom('oidc_payloads')
        .where('model', '=', model)
        .where('id', '=', id)
        .execute();
    },

    async revokeByGrantId(grantId) {
      if (holdsNul(grantId)) return;
      forget(await settled(), grantId);
      await db
        .deleteFrom('oidc_payloads')
        .where('model', '=', model)
        .where('grant_id', '=', grantId)
        .execute();
    },
  };
}
