import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { batchPerTurn, groupBy, splitByKey } from '../../src/storage/batch.ts';

type Item = { key: string };
const item = (key: string): Item => ({ key });

/** A batcher that upper-cases each item's key and records the runs it was given. */
function recording(options: { fail?: (keys: string[]) => Error | undefined } = {}) {
  const runs: string[][] = [];
  const run = async (items: Item[]) => {
    const keys = items.map(({ key }) => key);
    runs.push(keys);
    const error = options.fail?.(keys);
    if (error) throw error;
    return keys.map((key) => key.toUpperCase());
  };
  return { runs, run };
}

const settled = (promises: Promise<unknown>[]) =>
  Promise.allSettled(promises).then((results) =>
    results.map((result) =>
      result.status === 'fulfilled' ? result.value : (result.reason as Error).message,
    ),
  );

describe('batchPerTurn', () => {
  it('runs the items handed over in one turn together, and answers each caller its own', async () => {
    const { runs, run } = recording();
    const find = batchPerTurn(run);
    const first = find(item('a'));
    await Promise.resolve(); // a later microtask of the same turn still joins the batch
    const second = find(item('b'));
    const third = find(item('c'));
    expect(runs).toEqual([]);
    expect(await Promise.all([first, second, third])).toEqual(['A', 'B', 'C']);
    expect(runs).toEqual([['a', 'b', 'c']]);
  });

  it('starts a new batch for items handed over once a batch was sent', async () => {
    const { runs, run } = recording();
    const find = batchPerTurn(run);
    const first = find(item('a'));
    await nextTurn();
    const second = find(item('b'));
    expect(await Promise.all([first, second])).toEqual(['A', 'B']);
    expect(runs).toEqual([['a'], ['b']]);
  });

  it('sends a batch when its schedule says, gathering the items of several turns until then', async () => {
    const { runs, run } = recording();
    let send: (() => void) | undefined;
    const find = batchPerTurn(run, undefined, (scheduled) => {
      send = scheduled;
    });
    const first = find(item('a'));
    await nextTurn();
    const second = find(item('b'));
    await nextTurn();
    expect(runs).toEqual([]);
    send?.();
    expect(await Promise.all([first, second])).toEqual(['A', 'B']);
    expect(runs).toEqual([['a', 'b']]);
  });

  it('fails every caller of a batch whose run fails', async () => {
    const { run } = recording({ fail: () => new Error('storage is down') });
    const find = batchPerTurn(run);
    const results = await settled([find(item('a')), find(item('b')), find(item('c'))]);
    expect(results).toEqual(['storage is down', 'storage is down', 'storage is down']);
  });

  it('fails the callers of a run that throws before it returns a promise', async () => {
    const find = batchPerTurn<Item, string>(() => {
      throw new Error('could not even start');
    });
    expect(await settled([find(item('a')), find(item('b'))])).toEqual([
      'could not even start',
      'could not even start',
    ]);
  });

  it('does not carry a failed batch over to the next one', async () => {
    let down = true;
    const { runs, run } = recording({
      fail: () => (down ? new Error('storage is down') : undefined),
    });
    const find = batchPerTurn(run);
    expect(await settled([find(item('a'))])).toEqual(['storage is down']);
    down = false;
    expect(await Promise.all([find(item('b')), find(item('c'))])).toEqual(['B', 'C']);
    expect(runs).toEqual([['a'], ['b', 'c']]);
  });

  it('settles each run of a split batch on its own: one failing run fails only its callers', async () => {
    const { runs, run } = recording({
      fail: (keys) => (keys.includes('bad') ? new Error('this run failed') : undefined),
    });
    const find = batchPerTurn(run, (items) => splitByKey(items, ({ key }) => key, 2));
    const results = await settled(['a', 'b', 'bad', 'c'].map((key) => find(item(key))));
    expect(results).toEqual(['A', 'B', 'this run failed', 'this run failed']);
    expect(runs).toEqual([
      ['a', 'b'],
      ['bad', 'c'],
    ]);
  });

  it('fails every caller when the batch cannot be split', async () => {
    const { runs, run } = recording();
    const find = batchPerTurn(run, () => {
      throw new Error('no split');
    });
    expect(await settled([find(item('a')), find(item('b'))])).toEqual(['no split', 'no split']);
    expect(runs).toEqual([]);
  });

  it('answers both callers of an item handed over twice, from one run of it', async () => {
    const { runs, run } = recording();
    const find = batchPerTurn(run);
    const same = item('a');
    expect(await Promise.all([find(same), find(same), find(item('a'))])).toEqual(['A', 'A', 'A']);
    expect(runs).toEqual([['a', 'a']]);
  });
});

describe('splitByKey', () => {
  it('keeps the items of one key together, at most maxKeys keys a run, in the order they came', () => {
    const items = ['x1', 'y1', 'x2', 'z1', 'w1', 'y2'];
    expect(splitByKey(items, (value) => value[0] as string, 2)).toEqual([
      ['x1', 'x2', 'y1', 'y2'],
      ['z1', 'w1'],
    ]);
    expect(splitByKey([], (value: string) => value, 2)).toEqual([]);
  });

  it('groups by key in the order keys were first seen', () => {
    expect(groupBy(['b1', 'a1', 'b2'], (value) => value[0] as string)).toEqual([
      ['b1', 'b2'],
      ['a1'],
    ]);
  });
});
