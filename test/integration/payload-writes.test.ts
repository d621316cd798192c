import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PayloadWrite } from '../../src/storage/oidc-payload-rows.ts';
import { batchedPayloadWrites, writePayloads } from '../../src/storage/oidc-payload-writes.ts';
import { createSqlAdapter } from '../../src/storage/oidc-sql-adapter.ts';
import { requestScopes } from '../../src/storage/request-scope.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';
import { statementCounter } from '../support/statement-counter.ts';

const write = (model: string, id: string, payload: Record<string, unknown>): PayloadWrite => ({
  model,
  id,
  json: JSON.stringify(payload),
  grantId: null,
  userCode: null,
  uid: null,
  expiresAt: new Date(Date.now() + 60_000),
});

describe.each(sqlBackends)('storing oidc payloads on $name storage', (backend) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await backend.create();
  });
  afterAll(() => database?.drop());

  const stored = (id: string) =>
    database.handle.db
      .selectFrom('oidc_payloads')
      .select(['model', 'payload', 'grant_id', 'user_code', 'uid', 'expires_at'])
      .where('id', '=', id)
      .executeTakeFirst();

  it('stores every column of many rows in one statement, whatever the payload holds', async () => {
    const counter = statementCounter();
    const db = database.handle.db.withPlugin(counter.plugin);
    const awkward = {
      jti: 'awkward',
      quote: 'say "hi"',
      backslash: 'C:\\path\\{x}',
      braces: '{a,b}',
      comma: 'a, b',
      unicode: 'żółw 🐢',
      nothing: null,
      nested: { list: [1, '2', { three: true }] },
    };
    const expiresAt = new Date('2040-01-02T03:04:05.678Z');
    await writePayloads(db, [
      { ...write('AccessToken', 'awkward', awkward), expiresAt },
      {
        model: 'DeviceCode',
        id: 'columns',
        json: JSON.stringify({ jti: 'columns' }),
        grantId: 'grant-1',
        userCode: 'USER-CODE',
        uid: 'uid-1',
        expiresAt: null,
      },
      write('RefreshToken', 'NULL', { jti: 'NULL' }),
    ]);
    expect(counter.count()).toBe(1);
    expect(await stored('awkward')).toEqual({
      model: 'AccessToken',
      payload: awkward,
      grant_id: null,
      user_code: null,
      uid: null,
      expires_at: expiresAt,
    });
    expect(await stored('columns')).toEqual({
      model: 'DeviceCode',
      payload: { jti: 'columns' },
      grant_id: 'grant-1',
      user_code: 'USER-CODE',
      uid: 'uid-1',
      expires_at: null,
    });
    // The string "NULL" is an id like any other, not SQL's null.
    expect(await stored('NULL')).toMatchObject({ model: 'RefreshToken', payload: { jti: 'NULL' } });
  });

  it('stores the deferred tokens of concurrent requests in one statement', async () => {
    const counter = statementCounter();
    const db = database.handle.db.withPlugin(counter.plugin);
    const inRequest = requestScopes(batchedPayloadWrites(db));
    const adapter = createSqlAdapter(db, 'AccessToken');
    const ids = Array.from({ length: 5 }, (_, index) => `concurrent-${index}`);
    await Promise.all(
      ids.map((id) => inRequest({}, () => adapter.upsert(id, { jti: id }, 60) as Promise<void>)),
    );
    expect(counter.count()).toBe(1);
    for (const id of ids) expect((await stored(id))?.payload).toEqual({ jti: id });
  });

  it('keeps the later of two writes of one entry in a batch', async () => {
    const writes = batchedPayloadWrites(database.handle.db);
    await Promise.all([
      writes([write('RefreshToken', 'twice', { jti: 'twice', round: 1 })]),
      writes([write('RefreshToken', 'twice', { jti: 'twice', round: 2 })]),
    ]);
    expect((await stored('twice'))?.payload).toEqual({ jti: 'twice', round: 2 });
  });

  it('fails every request of a batch whose statement fails, and stores nothing of it', async () => {
    const failing = database.handle.db.withPlugin({
      transformQuery: () => {
        throw new Error('storage is down');
      },
      transformResult: async (args) => args.result,
    });
    const inRequest = requestScopes(batchedPayloadWrites(failing));
    const adapter = createSqlAdapter(database.handle.db, 'AccessToken');
    const requests = ['lost-1', 'lost-2'].map((id) =>
      inRequest({}, async () => {
        await adapter.upsert(id, { jti: id }, 60);
        return 'answered';
      }),
    );
    for (const request of requests) await expect(request).rejects.toThrow('storage is down');
    expect(await stored('lost-1')).toBeUndefined();
    expect(await stored('lost-2')).toBeUndefined();
  });

  it('starts a new batch for writes handed over after a batch was sent', async () => {
    const counter = statementCounter();
    const writes = batchedPayloadWrites(database.handle.db.withPlugin(counter.plugin));
    await writes([write('AccessToken', 'first-batch', { jti: 'first-batch' })]);
    await writes([write('AccessToken', 'second-batch', { jti: 'second-batch' })]);
    expect(counter.count()).toBe(2);
    expect(await stored('second-batch')).toBeDefined();
  });
});
