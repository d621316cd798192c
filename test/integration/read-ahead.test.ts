import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsService } from '../../src/domain/accounts.service.ts';
import { createPayloadLookups } from '../../src/storage/oidc-payload-lookups.ts';
import { createSqlAdapter } from '../../src/storage/oidc-sql-adapter.ts';
import { withReadAhead } from '../../src/storage/read-ahead.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';

/** Counts the statements a Kysely instance runs. */
function statementCounter() {
  let count = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      count += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return { plugin, count: () => count };
}

describe.each(sqlBackends)(
  'a request reads a token with its grant and account on $name storage',
  (backend) => {
    let database: TestDatabase;
    let seq = 0;

    beforeAll(async () => {
      database = await backend.create();
    });
    afterAll(() => database?.drop());

    /** Adapters and accounts over one counted connection, as the server wires them. */
    const setup = () => {
      const counter = statementCounter();
      const db = database.handle.db.withPlugin(counter.plugin);
      const lookups = createPayloadLookups(db);
      const adapterFor = (model: string) => createSqlAdapter(db, model, { lookups });
      return { adapterFor, accounts: createAccountsService(db), statements: counter.count };
    };

    /** An account, a grant of it and an access token of that grant. */
    const seed = async (options: { disabled?: boolean; withGrant?: boolean } = {}) => {
      const { adapterFor, accounts } = setup();
      seq += 1;
      const account = await accounts.create({ email: `reader${seq}@example.com`, name: 'Reader' });
      if (options.disabled) await accounts.setDisabled(account.id, true);
      const grantId = `grant-${seq}`;
      if (options.withGrant !== false) {
        await adapterFor('Grant').upsert(grantId, { jti: grantId, accountId: account.id }, 600);
      }
      const token = `token-${seq}`;
      await adapterFor('AccessToken').upsert(
        token,
        { jti: token, grantId, accountId: account.id },
        600,
      );
      return { account, grantId, token };
    };

    it('reads the grant and the account in the statement that reads the token', async () => {
      const { account, grantId, token } = await seed();
      const { adapterFor, accounts, statements } = setup();
      await withReadAhead(async () => {
        expect(await adapterFor('AccessToken').find(token)).toMatchObject({ jti: token });
        expect(statements()).toBe(1);
        expect(await adapterFor('Grant').find(grantId)).toEqual({
          jti: grantId,
          accountId: account.id,
        });
        const found = await accounts.findActive(account.id);
        expect(found && accounts.claimsOf(found)).toEqual(accounts.claimsOf(account));
        expect(found).not.toHaveProperty('password_hash');
        expect(statements()).toBe(1);
      });
    });

    it('reads them again from the database outside a request, or the second time', async () => {
      const { account, grantId, token } = await seed();
      const { adapterFor, accounts, statements } = setup();
      await adapterFor('AccessToken').find(token);
      await adapterFor('Grant').find(grantId);
      await accounts.findActive(account.id);
      expect(statements()).toBe(3);

      await withReadAhead(async () => {
        await adapterFor('AccessToken').find(token);
        await adapterFor('Grant').find(grantId);
        await adapterFor('Grant').find(grantId);
        await accounts.findActive(account.id);
        await accounts.findActive(account.id);
      });
      expect(statements()).toBe(3 + 3);
    });

    it('answers a disabled account and a missing grant as not found, without asking again', async () => {
      const { account, grantId, token } = await seed({ disabled: true, withGrant: false });
      const { adapterFor, accounts, statements } = setup();
      await withReadAhead(async () => {
        await adapterFor('AccessToken').find(token);
        expect(await adapterFor('Grant').find(grantId)).toBeUndefined();
        expect(await accounts.findActive(account.id)).toBeUndefined();
      });
      expect(statements()).toBe(1);
    });

    it('leaves out a grant that expired', async () => {
      const { grantId, token } = await seed();
      await database.handle.db
        .updateTable('oidc_payloads')
        .set({ expires_at: new Date(Date.now() - 1_000) })
        .where('model', '=', 'Grant')
        .where('id', '=', grantId)
        .execute();
      const { adapterFor } = setup();
      await withReadAhead(async () => {
        await adapterFor('AccessToken').find(token);
        expect(await adapterFor('Grant').find(grantId)).toBeUndefined();
      });
    });

    it('never answers a grant written in the same request from what was read before', async () => {
      const { account, grantId, token } = await seed();
      const { adapterFor } = setup();
      const grants = adapterFor('Grant');
      await withReadAhead(async () => {
        await adapterFor('AccessToken').find(token);
        await grants.upsert(grantId, { jti: grantId, accountId: account.id, rewritten: true }, 600);
        expect(await grants.find(grantId)).toMatchObject({ rewritten: true });
      });
      await withReadAhead(async () => {
        await adapterFor('AccessToken').find(token);
        await grants.destroy(grantId);
        expect(await grants.find(grantId)).toBeUndefined();
      });
    });

    it('keeps what each of two concurrent requests read ahead to itself', async () => {
      const first = await seed();
      const second = await seed();
      const { adapterFor, statements } = setup();
      // Both tokens are asked for in the same tick, so their lookups run in the same flush.
      const grants = await Promise.all(
        [first, second].map(({ token, grantId }) =>
          withReadAhead(async () => {
            await adapterFor('AccessToken').find(token);
            return adapterFor('Grant').find(grantId);
          }),
        ),
      );
      expect(grants).toEqual([
        expect.objectContaining({ jti: first.grantId }),
        expect.objectContaining({ jti: second.grantId }),
      ]);
      expect(statements()).toBe(2);
    });
  },
);
