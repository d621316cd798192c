import { type Kysely, sql } from 'kysely';
import { batchPerTurn, splitByKey } from './batch.ts';
import type { ConsumeGrace } from './consume-grace.ts';
import type { Database } from './schema.ts';
import { idList, MAX_IDS } from './statement-ids.ts';

/**
 * consume() for every request of a turn of the event loop at once (batch.ts): under load, the
 * codes or refresh tokens of many requests are marked consumed by one statement (at most MAX_IDS
 * entries each). Resolves true when the call consumed its entry, false when it is refused.
 *
 * Each entry is consumed only if nobody did before: of two redemptions of one entry, exactly one
 * succeeds and the other is refused, whether they share a batch or not. Within a grace window
 * (consume-grace.ts) every redemption succeeds; redemptions in one batch are all within it. If
 * the statement fails, every consumption of its run fails with it.
 */
export function batchedConsumes(db: Kysely<Database>, model: string, grace: ConsumeGrace) {
  const consume = batchPerTurn<{ id: string }, boolean>(
    async (items) => {
      const consumed = await consumeRows(db, model, [...new Set(items.map(({ id }) => id))], grace);
      // Without a window, the first redemption of an entry in the batch is its only one.
      const first = new Map<string, { id: string }>();
      for (const item of items) if (!first.has(item.id)) first.set(item.id, item);
      return items.map(
        (item) => consumed.has(item.id) && (grace.reusable || first.get(item.id) === item),
      );
    },
    (items) => splitByKey(items, (item) => item.id, MAX_IDS),
  );
  return (id: string): Promise<boolean> => consume({ id });
}

/**
 * Marks the entries of `ids` consumed that may be consumed (consume-grace.ts) and returns those.
 * One statement decides, so concurrent statements cannot both slip past it: the rows are locked
 * in id order, so two statements sharing entries never deadlock, and one that waited for another
 * re-checks each row once the other commits. (Unconsumed means `consumed_at is null`, not
 * `consumed_at > now()`: the statement that waited re-checks against its own, earlier now(), and
 * the winner's later timestamp would let it through.) `coalesce` keeps the first consumption's
 * time. SQL text, like the other hot statements: every code exchange and refresh runs it.
 */
async function consumeRows(
  db: Kysely<Database>,
  model: string,
  ids: string[],
  grace: ConsumeGrace,
): Promise<Set<string>> {
  const { rows } = await sql<{ id: string }>`
    with target as (
      select id from oidc_payloads
       where model = ${model} and id in (${idList(ids)}) and ${grace.consumable}
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
