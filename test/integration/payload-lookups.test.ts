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

  it('reads the different ids asked for in one turn with one statement, leaving expired ones out', async () => {
    const { adapterFor, queries } = adapters();
    const adapter = adapterFor('AccessToken');
    await adapter.upsert('live-1', { jti: 'live-1' }, 60);
    await adapter.upsert('live-2', { jti: 'live-2' }, 60);
    await adapter.upsert('gone-1', { jti: 'gone-1' }, 60);
    await database.handle.db
      .updateTable('oidc_payloads')
      .set({ expires_at: new Date(Date.now() - 1_000) })
      .where('id', '=', 'gone-1')
      .execute();
    const before = queries();
    const found = await Promise.all(
      ['live-1', 'gone-1', 'missing', 'live-2'].map((id) => adapter.find(id)),
    );
    expect(found).toEqual([{ jti: 'live-1' }, undefined, undefined, { jti: 'live-2' }]);
    expect(queries() - before).toBe(1);
  });

  it('reads a large batch in statements of at most 16 ids, each id its own row', async () => {
    const { adapterFor, queries } = adapters();
    // 16 + 16 + 5: the last statement's list is padded to 8 by repeating its last id.
    const ids = Array.from({ length: 37 }, (_, index) => `bulk-${index}`);
    for (const id of ids) await adapterFor('RefreshToken').upsert(id, { jti: id }, 60);
    const before = queries();
    const found = await Promise.all(ids.map((id) => adapterFor('RefreshToken').find(id)));
    expect(found).toEqual(ids.map((id) => ({ jti: id })));
    expect(queries() - before).toBe(3);
  });

  it('reads ids asked for with their grant and account apart from the others', async () => {
    const counter = statementCounter();
    const lookups = createPayloadLookups(database.handle.db.withPlugin(counter.plugin));
    const adapter = createSqlAdapter(database.handle.db, 'AccessToken', { lookups });
    await adapter.upsert('plain-1', { jti: 'plain-1', grantId: 'g-none' }, 60);
    await adapter.upsert('related-1', { jti: 'related-1', grantId: 'g-none' }, 60);
    const [plain, related] = await Promise.all([
      lookups.find('AccessToken', 'plain-1'),
      lookups.find('AccessToken', 'related-1', true),
    ]);
    expect(plain?.payload).toEqual({ jti: 'plain-1', grantId: 'g-none' });
    expect(plain?.related).toBeUndefined();
    expect(related?.payload).toEqual({ jti: 'related-1', grantId: 'g-none' });
    expect(related?.related).toEqual({ grant: { id: 'g-none', row: null } });
    expect(counter.count()).toBe(2);
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
