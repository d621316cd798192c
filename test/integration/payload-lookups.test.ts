import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPayloadLookups } from '../../src/storage/oidc-payload-lookups.ts';
import { createSqlAdapter } from '../../src/storage/oidc-sql-adapter.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';
import { statementCounter } from '../support/statement-counter.ts';

const TOKEN_MODELS = ['AccessToken', 'ClientCredentials', 'RefreshToken'];

describe.each(sqlBackends)('coalesced payload lookups on $name storage', (backend) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await backend.create();
  });
  afterAll(() => database?.drop());

  const adapters = () => {
    const counter = statementCounter();
    const db = database.handle.db.withPlugin(counter.plugin);
    const lookups = createPayloadLookups(db);
    const adapterFor = (model: string) => createSqlAdapter(db, model, { lookups });
    return { adapterFor, queries: counter.count };
  };

  it('looks one token value up in every token model with a single query', async () => {
    const { adapterFor, queries } = adapters();
    await adapterFor('ClientCredentials').upsert('tok-1', { jti: 'tok-1', kind: 'cc' }, 60);
    const before = queries();
    const found = await Promise.all(TOKEN_MODELS.map((model) => adapterFor(model).find('tok-1')));
    expect(found).toEqual([undefined, { jti: 'tok-1', kind: 'cc' }, undefined]);
    expect(queries() - before).toBe(1);
  });

  it('gives each model its own entry when one id exists in several', async () => {
    const { adapterFor } = adapters();
    await adapterFor('AccessToken').upsert('shared', { jti: 'shared', kind: 'at' }, 60);
    await adapterFor('RefreshToken').upsert('shared', { jti: 'shared', kind: 'rt' }, 60);
    const [access, refresh] = await Promise.all([
      adapterFor('AccessToken').find('shared'),
      adapterFor('RefreshToken').find('shared'),
    ]);
    expect(access).toEqual({ jti: 'shared', kind: 'at' });
    expect(refresh).toEqual({ jti: 'shared', kind: 'rt' });
  });

  it('answers every caller asking for the same entry at once', async () => {
    const { adapterFor, queries } = adapters();
    await adapterFor('AccessToken').upsert('twice', { jti: 'twice' }, 60);
    const before = queries();
    const [first, second] = await Promise.all([
      adapterFor('AccessToken').find('twice'),
      adapterFor('AccessToken').find('twice'),
    ]);
    expect(first).toEqual({ jti: 'twice' });
    expect(second).toEqual({ jti: 'twice' });
    expect(queries() - before).toBe(1);
  });

  it('reads different ids separately and leaves expired entries out', async () => {
    const { adapterFor } = adapters();
    const adapter = adapterFor('AccessToken');
    await adapter.upsert('live-1', { jti: 'live-1' }, 60);
    await adapter.upsert('gone-1', { jti: 'gone-1' }, 60);
    await database.handle.db
      .updateTable('oidc_payloads')
      .set({ expires_at: new Date(Date.now() - 1_000) })
      .where('id', '=', 'gone-1')
      .execute();
    const [live, gone] = await Promise.all([adapter.find('live-1'), adapter.find('gone-1')]);
    expect(live).toEqual({ jti: 'live-1' });
    expect(gone).toBeUndefined();
  });

  it('hands a failed read to every caller waiting on it', async () => {
    const failing = database.handle.db.withPlugin({
      transformQuery: () => {
        throw new Error('storage is down');
      },
      transformResult: async (args) => args.result,
    });
    const lookups = createPayloadLookups(failing);
    const reads = TOKEN_MODELS.map((model) => lookups.find(model, 'any'));
    for (const read of reads) await expect(read).rejects.toThrow('storage is down');
  });
});
