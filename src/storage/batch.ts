/**
 * The batching behind the storage fast path (docs/STORAGE.md): the token lookups, the
 * consumptions and the deferred token writes of every request in flight share statements.
 *
 * `batchPerTurn(run, split)` returns a function that takes one item and promises its result.
 * The items handed over during one turn of the event loop form a batch; `split` cuts it into runs
 * (one statement each, say; by default the whole batch is one run) and `run` answers the items of
 * one run, a result per item, in their order. Each run settles its own callers: if it fails,
 * every caller of that run gets the error. Items handed over once a batch has been sent start the
 * next batch, which knows nothing of the last one's failure.
 *
 * The batch is sent from setImmediate, which Node runs after its poll phase: by then the event
 * loop has run the handlers of every socket that was ready, so the requests that arrived together
 * share the batch. A microtask would send it at the end of the handler that started it (a batch
 * per request, nothing shared between requests), a timer would add a millisecond to each.
 *
 * Results find their callers by the item's identity: an object handed over twice in one batch is
 * one item, answered to both callers.
 *
 * `schedule` says when a batch is sent, setImmediate unless told otherwise. The audit log's
 * writes, which no request waits for, gather longer (audit-log.ts): their statement is sent after
 * the requests of the turn have had theirs, and stands for many turns' events at once.
 */
export function batchPerTurn<Item extends object, Result>(
  run: Run<Item, Result>,
  split: (items: Item[]) => Item[][] = (items) => [items],
  schedule: (send: () => void) => void = setImmediate,
): (item: Item) => Promise<Result> {
  let batch: Map<Item, Caller<Result>[]> | undefined;
  return (item) => {
    if (!batch) {
      const callers = new Map<Item, Caller<Result>[]>();
      batch = callers;
      schedule(() => {
        batch = undefined;
        send(callers, run, split);
      });
    }
    const callers = batch;
    return new Promise<Result>((resolve, reject) => {
      callers.set(item, [...(callers.get(item) ?? []), { resolve, reject }]);
    });
  };
}

type Run<Item, Result> = (items: Item[]) => Promise<Result[]>;
type Caller<Result> = { resolve(result: Result): void; reject(error: unknown): void };

/** Splits one batch into runs and starts them, each settling its own callers. */
function send<Item, Result>(
  callers: Map<Item, Caller<Result>[]>,
  run: Run<Item, Result>,
  split: (items: Item[]) => Item[][],
): void {
  const callersOf = (items: Item[]) => items.flatMap((item) => callers.get(item) ?? []);
  let runs: Item[][];
  try {
    runs = split([...callers.keys()]);
  } catch (error) {
    for (const caller of callersOf([...callers.keys()])) caller.reject(error);
    return;
  }
  for (const items of runs) {
    // A promise around run, so that one throwing before its first await fails its callers too.
    new Promise<Result[]>((resolve) => resolve(run(items))).then(
      (results) =>
        items.forEach((item, index) => {
          for (const caller of callers.get(item) ?? []) caller.resolve(results[index] as Result);
        }),
      (error: unknown) => {
        for (const caller of callersOf(items)) caller.reject(error);
      },
    );
  }
}

/** The items of each key, in the order they came (keys in the order first seen). */
export function groupBy<Item>(items: Item[], keyOf: (item: Item) => string): Item[][] {
  const byKey = new Map<string, Item[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = byKey.get(key);
    if (group) group.push(item);
    else byKey.set(key, [item]);
  }
  return [...byKey.values()];
}

/**
 * Cuts `items` into runs of at most `maxKeys` distinct keys, the items of one key together and
 * in the order they came (keys in the order first seen).
 */
export function splitByKey<Item>(
  items: Item[],
  keyOf: (item: Item) => string,
  maxKeys: number,
): Item[][] {
  const groups = groupBy(items, keyOf);
  const runs: Item[][] = [];
  for (let start = 0; start < groups.length; start += maxKeys) {
    runs.push(groups.slice(start, start + maxKeys).flat());
  }
  return runs;
}
