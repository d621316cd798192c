import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPayloadLookups } from '../../src/storage/oidc-payload-lookups.ts';
import { purgeExpiredPayloads } from '../../src/storage/oidc-payload-writes.ts';
import { createSqlAdapter } from '../../src/storage/oidc-sql-adapter.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';
import { runAdapterContract } from './adapter-contract.ts';

for (const backend of sqlBackends) {
  runAdapterContract(`SQL on ${backend.name}`, async () => {
    const database = await backend.create();
    // As the server wires them: every model's adapter shares one set of coalesced lookups.
    const lookups = createPayloadLookups(database.handle.db);
    return {
      adapterFor: (model) => createSqlAdapter(database.handle.db, model, { lookups }),
      close: () => database.drop(),
    };
  });

  describe(`purging expired oidc payloads on ${backend.name}`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await backend.create();
    });
    afterAll(() => database?.drop());

    it('deletes expired rows and keeps live and non-expiring ones', async () => {
      const { db } = database.handle;
      const adapter = createSqlAdapter(db, 'AccessToken');
      await adapter.upsert('expired-1', { jti: 'expired-1' }, 60);
      await adapter.upsert('expired-2', { jti: 'expired-2' }, 60);
      await adapter.upsert('live', { jti: 'live' }, 60);
      await adapter.upsert('forever', { jti: 'forever' });
      // Backdating the rows stands in for waiting until they expire.
      await db
        .updateTable('oidc_payloads')
        .set({ expires_at: new Date(Date.now() - 1_000) })
        .where('id', 'in', ['expired-1', 'expired-2'])
        .execute();

      expect(await purgeExpiredPayloads(db)).toBe(2);

      const remaining = await db.selectFrom('oidc_payloads').select('id').orderBy('id').execute();
      expect(remaining.map((row) => row.id)).toEqual(['forever', 'live']);
    });
  });
}
