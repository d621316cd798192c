import { type Kysely, sql } from 'kysely';
import { batchPerTurn, splitByKey } from './batch.ts';
import type { ConsumeGrace } from './consume-grace.ts';
import type { Database } from './schema.ts';
import { idList, MAX_IDS } from './statement-ids.ts';

/**
 * What a consumption found: `first`, the entry was unconsumed and this call consumed it; `again`,
 * another call had consumed it within the grace window (consume-grace.ts) and this one may too;
 * `refused`, it may not be consumed (already consumed, or not there).
 */
type Consumption = 'first' | 'again' | 'refused';

/**
 * consume() for every request of a turn of the event loop at once (batch.ts): under load, the
 * codes or refresh tokens of many requests are marked consumed by one statement (at most MAX_IDS
 * entries each).
 *
 * Each entry is consumed first exactly once: of two redemptions of one entry, exactly one is
 * `first`, whether they share a batch or not. Without a grace window the other is refused; within
 * one (consume-grace.ts) it is `again`; redemptions in one batch are all within it. If the
 * statement fails, every consumption of its run fails with it.
 */
export function batchedConsumes(db: Kysely<Database>, model: string, grace: ConsumeGrace) {
  const consume = batchPerTurn<{ id: string }, Consumption>(
    async (items) => {
      const ids = [...new Set(items.map(({ id }) => id))];
      const consumed = await consumeRows(db, model, ids, grace);
      // The first redemption of an entry in the batch is the one that may be `first`.
      const first = new Map<string, { id: string }>();
      for (const item of items) if (!first.has(item.id)) first.set(item.id, item);
      return items.map((item): Consumption => {
        const before = consumed.get(item.id);
        if (before === undefined) return 'refused';
        if (before === 'unconsumed' && first.get(item.id) === item) return 'first';
        return grace.reusable ? 'again' : 'refused';
      });
    },
    (items) => splitByKey(items, (item) => item.id, MAX_IDS),
  );
  return (id: string): Promise<Consumption> => consume({ id });
}

/**
 * Marks the entries of `ids` consumed that may be consumed (consume-grace.ts) and returns those,
 * each with whether it was unconsumed before the statement. One statement decides, so concurrent statements cannot both slip past it: the rows are locked
 * in id order, so two statements sharing entries never deadlock, and one that waited for another
 * re-checks each row once the other commits. (Unconsumed means `consumed_at is null`, not
 * `consumed_at > now()`: the statement that waited re-checks against its own, earlier now(), and
 * the winner's later timestamp would let it through.) `coalesce` keeps the first consumption's
 * time; `target.consumed_at` is the row as the lock found it, so the statement that waited sees the
 * winner's consumption. SQL text, like the other hot statements: every code exchange and refresh
 * runs it.
 */
async function consumeRows(
  db: Kysely<Database>,
  model: string,
  ids: string[],
  grace: ConsumeGrace,
): Promise<Map<string, 'unconsumed' | 'consumed'>> {
  const { rows } = await sql<{ id: string; unconsumed: boolean }>`
    with target as (
      select id, consumed_at from oidc_payloads
       where model = ${model} and id in (${idList(ids)}) and ${grace.consumable}
       order by id
         for update
    )
    update oidc_payloads p set consumed_at = coalesce(p.consumed_at, now())
      from target
     where p.model = ${model} and p.id = target.id
    returning p.id, target.consumed_at is null as unconsumed
  `.execute(db);
  return new Map(rows.map((row) => [row.id, row.unconsumed ? 'unconsumed' : 'consumed']));
}
