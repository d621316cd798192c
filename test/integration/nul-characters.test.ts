import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsService } from '../../src/domain/accounts.service.ts';
import { createClientsService } from '../../src/domain/clients.service.ts';
import { createClientAdapter } from '../../src/storage/oidc-client-adapter.ts';
import { createPayloadLookups } from '../../src/storage/oidc-payload-lookups.ts';
import { createRedisAdapter } from '../../src/storage/oidc-redis-adapter.ts';
import { createSqlAdapter } from '../../src/storage/oidc-sql-adapter.ts';
import {
  createTestRedis,
  sqlBackends,
  TEST_REDIS_URL,
  type TestDatabase,
} from '../support/backends.ts';
import { runCliInProcess } from '../support/cli.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

/**
 * Postgres (and PGlite) refuse U+0000 in text and jsonb: values holding one come only from
 * outside and match nothing stored (src/storage/nul.ts). Lookups answer "not found" without a
 * statement; writes are refused as bad input.
 */
const NUL = '\u0000';
const invalidRequest = { error: 'invalid_request', status: 400 };

describe.each(sqlBackends)('values holding NUL on $name storage', (backend) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await backend.create();
  });
  afterAll(() => database?.drop());

  it('finds no oidc payload by an id, uid or user code holding NUL, batched with others or not', async () => {
    const lookups = createPayloadLookups(database.handle.db);
    const adapter = createSqlAdapter(database.handle.db, 'Session', { lookups });
    await adapter.upsert('stored', { jti: 'stored', uid: 'uid-1' }, 60);

    // Looked up in the same turn, so batched into one statement without the guard.
    const [stored, nul] = await Promise.all([adapter.find('stored'), adapter.find(`st${NUL}`)]);
    expect(stored).toMatchObject({ jti: 'stored' });
    expect(nul).toBeUndefined();
    expect(await adapter.findByUid(`uid-1${NUL}`)).toBeUndefined();
    expect(await adapter.findByUserCode(NUL)).toBeUndefined();
    await expect(adapter.consume(NUL)).rejects.toMatchObject({ error: 'invalid_grant' });
    await adapter.destroy(NUL);
    await adapter.revokeByGrantId(NUL);
    expect(await adapter.find('stored')).toMatchObject({ jti: 'stored' });
  });

  it('refuses to store a payload holding NUL as bad input, and stores a backslash-u0000 text', async () => {
    const interactions = createSqlAdapter(database.handle.db, 'Interaction');
    await expect(
      interactions.upsert('nul', { jti: 'nul', params: { state: `a${NUL}b` } }, 60),
    ).rejects.toMatchObject(invalidRequest);
    await expect(
      interactions.upsert('key', { jti: 'key', params: { [`st${NUL}`]: 'x' } }, 60),
    ).rejects.toMatchObject(invalidRequest);

    const text = { jti: 'text', params: { state: '\\u0000 and \\\\u0000' } };
    await interactions.upsert('text', text, 60);
    expect(await interactions.find('text')).toMatchObject(text);
  });

  it('finds no account or client by an id or email holding NUL, and refuses such names', async () => {
    const { db } = database.handle;
    const accounts = createAccountsService(db);
    const clients = createClientsService(db);
    const account = await accounts.create({ email: 'nul@example.com' });

    expect(await accounts.authenticate(`nul@example.com${NUL}`, 'x')).toBeUndefined();
    expect(await accounts.findById(`${account.id}${NUL}`)).toBeUndefined();
    expect(await accounts.findActive(NUL)).toBeUndefined();
    await expect(accounts.setDisabled(NUL, true)).rejects.toMatchObject({
      code: 'account_not_found',
    });
    await expect(
      accounts.create({ email: 'other@example.com', name: `A${NUL}` }),
    ).rejects.toMatchObject({
      code: 'invalid_account',
    });

    for (const attempt of [
      () => clients.get(NUL),
      () => clients.delete(NUL),
      () => clients.rotateSecret(NUL),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'client_not_found' });
    }
    expect(await createClientAdapter(db).find(NUL)).toBeUndefined();
    for (const input of [
      { name: `App${NUL}`, redirectUris: ['https://app.example/cb'] },
      { name: 'App', redirectUris: [`https://app.example/cb${NUL}`] },
    ]) {
      await expect(clients.create(input)).rejects.toMatchObject({
        code: 'invalid_client_metadata',
      });
    }
  });
});

const redisUrls = TEST_REDIS_URL ? [TEST_REDIS_URL] : [];

describe.each(redisUrls)('values holding NUL in Redis', (url) => {
  it('refuses to store a payload holding NUL, as SQL does', async () => {
    const redis = await createTestRedis(url);
    try {
      const interactions = createRedisAdapter(redis.handle, 'Interaction');
      await expect(
        interactions.upsert('nul', { jti: 'nul', params: { state: `a${NUL}b` } }, 60),
      ).rejects.toMatchObject(invalidRequest);
      expect(await redis.keys()).toEqual([]);
    } finally {
      await redis.drop();
    }
  });
});

describe('command-line arguments holding NUL', () => {
  let dir: TempDir;
  const cli = (args: string[]) => runCliInProcess(args, { dataDir: dir.path });

  beforeAll(() => {
    dir = makeTempDir('portcullis-nul-');
  });
  afterAll(() => dir?.remove());

  it('refuses them with exit status 1 and a message, never an internal error', async () => {
    // One after another: a command opens the embedded data directory alone. (The services'
    // refusals are each tested above; this is the command line's mapping of them.)
    const runs = [];
    for (const args of [
      ['users', 'disable', `id${NUL}`],
      ['clients', 'create', '--name', 'app', '--redirect-uri', `https://app.example/${NUL}`],
    ]) {
      runs.push({ args, ...(await cli(args)) });
    }
    for (const run of runs) {
      expect(run, run.args.join(' ')).toMatchObject({ code: 1, stdout: '' });
      expect(run.stderr, run.args.join(' ')).toMatch(/no user|must not contain/);
    }
  }, 120_000);
});
