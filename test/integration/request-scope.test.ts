import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsService } from '../../src/domain/accounts.service.ts';
import { createPayloadLookups } from '../../src/storage/oidc-payload-lookups.ts';
import { batchedPayloadWrites } from '../../src/storage/oidc-payload-writes.ts';
import { createSqlAdapter } from '../../src/storage/oidc-sql-adapter.ts';
import { accountsReadAhead, requestScopes } from '../../src/storage/request-scope.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';
import { statementCounter } from '../support/statement-counter.ts';

describe.each(sqlBackends)('storage within one request on $name storage', (backend) => {
  let database: TestDatabase;
  let seq = 0;

  beforeAll(async () => {
    database = await backend.create();
  });
  afterAll(() => database?.drop());

  /** Adapters, accounts and request scopes over one counted connection, as the server wires them. */
  const setup = () => {
    const counter = statementCounter();
    const db = database.handle.db.withPlugin(counter.plugin);
    const lookups = createPayloadLookups(db);
    const adapterFor = (model: string) => createSqlAdapter(db, model, { lookups });
    const scopes = requestScopes(batchedPayloadWrites(db));
    // As the server runs a request: in a context of its own (Koa's), the one findAccount is given.
    const inRequest = <T>(fn: (request: object) => Promise<T>) => {
      const request = {};
      return scopes(request, () => fn(request));
    };
    return {
      adapterFor,
      inRequest,
      accounts: createAccountsService(db),
      statements: counter.count,
    };
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
    const { adapterFor, inRequest, accounts, statements } = setup();
    await inRequest(async (request) => {
      expect(await adapterFor('AccessToken').find(token)).toMatchObject({ jti: token });
      expect(statements()).toBe(1);
      expect(await adapterFor('Grant').find(grantId)).toEqual({
        jti: grantId,
        accountId: account.id,
      });
      const found = await accounts.findActive(account.id, accountsReadAhead(request));
      expect(found && accounts.claimsOf(found)).toEqual(accounts.claimsOf(account));
      expect(found).not.toHaveProperty('password_hash');
      expect(statements()).toBe(1);
    });
  });

  it('reads them again from the database outside a request, or the second time', async () => {
    const { account, grantId, token } = await seed();
    const { adapterFor, inRequest, accounts, statements } = setup();
    await adapterFor('AccessToken').find(token);
    await adapterFor('Grant').find(grantId);
    await accounts.findActive(account.id);
    expect(statements()).toBe(3);

    await inRequest(async (request) => {
      await adapterFor('AccessToken').find(token);
      await adapterFor('Grant').find(grantId);
      await adapterFor('Grant').find(grantId);
      await accounts.findActive(account.id, accountsReadAhead(request));
      await accounts.findActive(account.id, accountsReadAhead(request));
    });
    expect(statements()).toBe(3 + 3);
  });

  it('answers a disabled account and a missing grant as not found, without asking again', async () => {
    const { account, grantId, token } = await seed({ disabled: true, withGrant: false });
    const { adapterFor, inRequest, accounts, statements } = setup();
    await inRequest(async (request) => {
      await adapterFor('AccessToken').find(token);
      expect(await adapterFor('Grant').find(grantId)).toBeUndefined();
      expect(await accounts.findActive(account.id, accountsReadAhead(request))).toBeUndefined();
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
    const { adapterFor, inRequest } = setup();
    await inRequest(async () => {
      await adapterFor('AccessToken').find(token);
      expect(await adapterFor('Grant').find(grantId)).toBeUndefined();
    });
  });

  it('never answers a grant written in the same request from what was read before', async () => {
    const { account, grantId, token } = await seed();
    const { adapterFor, inRequest } = setup();
    const grants = adapterFor('Grant');
    await inRequest(async () => {
      await adapterFor('AccessToken').find(token);
      await grants.upsert(grantId, { jti: grantId, accountId: account.id, rewritten: true }, 600);
      expect(await grants.find(grantId)).toMatchObject({ rewritten: true });
    });
    await inRequest(async () => {
      await adapterFor('AccessToken').find(token);
      await grants.destroy(grantId);
      expect(await grants.find(grantId)).toBeUndefined();
    });
  });

  it('keeps what one request read ahead to itself', async () => {
    const { grantId, token } = await seed();
    const { adapterFor, inRequest, statements } = setup();
    let signal: () => void = () => {};
    const tokenRead = new Promise<void>((resolve) => {
      signal = resolve;
    });
    // Request A reads the token (and so its grant); request B asks for that grant meanwhile.
    const a = inRequest(async () => {
      await adapterFor('AccessToken').find(token);
      signal();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const before = statements();
      const grant = await adapterFor('Grant').find(grantId);
      return { grant, statements: statements() - before };
    });
    const b = inRequest(async () => {
      await tokenRead;
      const before = statements();
      const grant = await adapterFor('Grant').find(grantId);
      return { grant, statements: statements() - before };
    });
    const [ofA, ofB] = await Promise.all([a, b]);
    expect(ofB).toEqual({ grant: expect.objectContaining({ jti: grantId }), statements: 1 });
    expect(ofA).toEqual({ grant: expect.objectContaining({ jti: grantId }), statements: 0 });
  });

  it("finds the account read ahead through its own request's context only", async () => {
    const { account, token } = await seed();
    const { adapterFor, inRequest, accounts, statements } = setup();
    await inRequest(async (request) => {
      await adapterFor('AccessToken').find(token);
      const before = statements();
      // Another request's context, or none, reads the table; this request's takes the row read.
      expect(await accounts.findActive(account.id, accountsReadAhead({}))).toBeDefined();
      expect(await accounts.findActive(account.id)).toBeDefined();
      expect(statements() - before).toBe(2);
      expect(await accounts.findActive(account.id, accountsReadAhead(request))).toBeDefined();
      expect(statements() - before).toBe(2);
    });
  });

  describe('tokens issued in a request', () => {
    const token = (id: string, grantId = 'grant-of-tokens') => ({ jti: id, grantId });

    it('are written together in one statement when the request ends, before it returns', async () => {
      const { adapterFor, inRequest, statements } = setup();
      const answered = await inRequest(async () => {
        await adapterFor('RefreshToken').upsert('rt-deferred', token('rt-deferred'), 600);
        await adapterFor('AccessToken').upsert('at-deferred', token('at-deferred'), 600);
        expect(statements()).toBe(0);
        return 'token response';
      });
      expect(answered).toBe('token response');
      expect(statements()).toBe(1);
      expect(await adapterFor('RefreshToken').find('rt-deferred')).toEqual(token('rt-deferred'));
      expect(await adapterFor('AccessToken').find('at-deferred')).toEqual(token('at-deferred'));
    });

    it('are written first when the request reads, consumes or revokes anything', async () => {
      const { adapterFor, inRequest } = setup();
      await inRequest(async () => {
        await adapterFor('AccessToken').upsert('at-read-own', token('at-read-own'), 600);
        expect(await adapterFor('AccessToken').find('at-read-own')).toEqual(token('at-read-own'));
        await adapterFor('RefreshToken').upsert('rt-consume-own', token('rt-consume-own'), 600);
        await adapterFor('RefreshToken').consume('rt-consume-own');
        await adapterFor('AccessToken').upsert('at-revoked', token('at-revoked', 'grant-x'), 600);
        await adapterFor('AccessToken').revokeByGrantId('grant-x');
      });
      expect(await adapterFor('RefreshToken').find('rt-consume-own')).toHaveProperty('consumed');
      expect(await adapterFor('AccessToken').find('at-revoked')).toBeUndefined();
    });

    it('keep the last of two writes of one entry', async () => {
      const { adapterFor, inRequest } = setup();
      await inRequest(async () => {
        await adapterFor('AccessToken').upsert('at-twice', { jti: 'at-twice', n: 1 }, 600);
        await adapterFor('AccessToken').upsert('at-twice', { jti: 'at-twice', n: 2 }, 600);
      });
      expect(await adapterFor('AccessToken').find('at-twice')).toEqual({
        jti: 'at-twice',
        n: 2,
      });
    });

    it('are stored even when the request fails after issuing them', async () => {
      const { adapterFor, inRequest } = setup();
      const failing = inRequest(async () => {
        await adapterFor('AccessToken').upsert('at-then-fail', token('at-then-fail'), 600);
        throw new Error('later step failed');
      });
      await expect(failing).rejects.toThrow('later step failed');
      expect(await adapterFor('AccessToken').find('at-then-fail')).toEqual(token('at-then-fail'));
    });

    it('fail the request when they cannot be stored, so no client gets a token that is not', async () => {
      const failingWrite = requestScopes(async () => {
        throw new Error('storage is down');
      });
      const { adapterFor } = setup();
      const request = failingWrite({}, async () => {
        await adapterFor('AccessToken').upsert('at-lost', token('at-lost'), 600);
        return 'token response';
      });
      await expect(request).rejects.toThrow('storage is down');
    });

    it('fail the request when a write failed midway, even if the failure was caught', async () => {
      let attempts = 0;
      const failing = requestScopes(async () => {
        attempts += 1;
        throw new Error('storage is down');
      });
      const { adapterFor } = setup();
      const request = failing({}, async () => {
        await adapterFor('AccessToken').upsert('at-midway', token('at-midway'), 600);
        await adapterFor('AccessToken')
          .find('something-else')
          .catch(() => undefined);
        await adapterFor('RefreshToken').upsert('rt-midway', token('rt-midway'), 600);
        return 'token response';
      });
      await expect(request).rejects.toThrow('storage is down');
      expect(attempts).toBe(1);
    });

    it('leave grants and everything outside a request written at once', async () => {
      const { adapterFor, inRequest, statements } = setup();
      await inRequest(async () => {
        await adapterFor('Grant').upsert('grant-now', { jti: 'grant-now' }, 600);
        expect(statements()).toBe(1);
      });
      await adapterFor('AccessToken').upsert('at-outside', token('at-outside'), 600);
      expect(statements()).toBe(2);
    });
  });
});
