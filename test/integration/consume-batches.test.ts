import { errors } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqlAdapter } from '../../src/storage/oidc-sql-adapter.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';
import { statementCounter } from '../support/statement-counter.ts';

const outcome = (promise: Promise<void>) =>
  promise.then(
    () => 'consumed',
    (error: Error) => (error instanceof errors.InvalidGrant ? 'refused' : error.message),
  );

describe.each(sqlBackends)('consumptions batched per turn on $name storage', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.create();
  });
  afterAll(() => database?.drop());

  const counted = (model: string, consumeGraceSeconds = 0) => {
    const counter = statementCounter();
    const adapter = createSqlAdapter(database.handle.db.withPlugin(counter.plugin), model, {
      consumeGraceSeconds,
    });
    return { adapter, statements: counter.count };
  };

  it('consumes the entries asked for in one turn with one statement', async () => {
    const { adapter, statements } = counted('AuthorizationCode');
    const ids = ['turn-1', 'turn-2', 'turn-3'];
    for (const id of ids) await adapter.upsert(id, { jti: id }, 60);
    const before = statements();
    expect(await Promise.all(ids.map((id) => outcome(adapter.consume(id))))).toEqual([
      'consumed',
      'consumed',
      'consumed',
    ]);
    expect(statements() - before).toBe(1);
    for (const id of ids) expect((await adapter.find(id))?.consumed).toEqual(expect.any(Number));
  });

  it('gives each entry of a batch its own answer: fresh, already used, unknown', async () => {
    const { adapter } = counted('AuthorizationCode');
    await adapter.upsert('mixed-fresh', { jti: 'mixed-fresh' }, 60);
    await adapter.upsert('mixed-used', { jti: 'mixed-used' }, 60);
    await adapter.consume('mixed-used');
    const results = await Promise.all(
      ['mixed-used', 'mixed-fresh', 'mixed-unknown'].map((id) => outcome(adapter.consume(id))),
    );
    expect(results).toEqual(['refused', 'consumed', 'refused']);
  });

  it('lets only the first of two redemptions of one code in a batch succeed', async () => {
    const { adapter, statements } = counted('AuthorizationCode');
    await adapter.upsert('twice-code', { jti: 'twice-code' }, 60);
    await adapter.upsert('other-code', { jti: 'other-code' }, 60);
    const before = statements();
    const results = await Promise.all(
      ['twice-code', 'other-code', 'twice-code'].map((id) => outcome(adapter.consume(id))),
    );
    expect(results).toEqual(['consumed', 'consumed', 'refused']);
    expect(statements() - before).toBe(1);
  });

  it('lets every redemption of a refresh token in a batch succeed within its grace window', async () => {
    const { adapter } = counted('RefreshToken', 30);
    await adapter.upsert('twice-rt', { jti: 'twice-rt' }, 60);
    const results = await Promise.all([1, 2, 3].map(() => outcome(adapter.consume('twice-rt'))));
    expect(results).toEqual(['consumed', 'consumed', 'consumed']);
    // Within the window the entry still reads as unconsumed; the first time is kept.
    expect((await adapter.find('twice-rt'))?.consumed).toBeUndefined();
  });

  it('consumes a large batch in statements of at most 16 entries', async () => {
    const { adapter, statements } = counted('RefreshToken');
    // 16 + 16 + 5: the last statement's list is padded to 8 by repeating its last id.
    const ids = Array.from({ length: 37 }, (_, index) => `bulk-consume-${index}`);
    for (const id of ids) await adapter.upsert(id, { jti: id }, 60);
    const before = statements();
    const results = await Promise.all(ids.map((id) => outcome(adapter.consume(id))));
    expect(results).toEqual(ids.map(() => 'consumed'));
    expect(statements() - before).toBe(3);
    // Each was consumed once: a second round refuses them all.
    const again = await Promise.all(ids.map((id) => outcome(adapter.consume(id))));
    expect(again).toEqual(ids.map(() => 'refused'));
  });

  it('hands a failed statement to every consumption of the batch', async () => {
    const failing = database.handle.db.withPlugin({
      transformQuery: () => {
        throw new Error('storage is down');
      },
      transformResult: async (args) => args.result,
    });
    const adapter = createSqlAdapter(failing, 'AuthorizationCode');
    const results = await Promise.all(
      ['down-1', 'down-2', 'down-1'].map((id) => outcome(adapter.consume(id))),
    );
    expect(results).toEqual(['storage is down', 'storage is down', 'storage is down']);
  });
});
