import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Portcullis, startPortcullis } from '../../src/app/portcullis.ts';
import { loadConfig } from '../../src/config/load.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';

describe.each(sqlBackends)('the key-encryption key on $name storage', (backend) => {
  let dataDir: string;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portcullis-kek-'));
    if (backend.name === 'postgres') {
      database = await backend.create();
      await database.handle.close();
    }
  });
  afterAll(async () => {
    await database?.drop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (keyEncryptionKey: string) =>
    startPortcullis(
      loadConfig(
        { NODE_ENV: 'test' },
        {
          port: 0,
          host: '127.0.0.1',
          logLevel: 'silent',
          dataDir,
          keyEncryptionKey,
          ...(database?.url ? { databaseUrl: database.url } : {}),
        },
      ),
    );
  const storedKeys = async (portcullis: Portcullis) => ({
    signing: await portcullis.database.db
      .selectFrom('signing_keys')
      .select(['kid', 'state', 'private_jwk_encrypted'])
      .orderBy('kid')
      .execute(),
    cookie: await portcullis.database.db
      .selectFrom('cookie_keys')
      .select(['id', 'state', 'secret_encrypted'])
      .orderBy('id')
      .execute(),
  });

  it('stops the start under another key-encryption key, says why, and changes no key', async () => {
    const right = randomBytes(32).toString('base64');
    const first = await start(right);
    const before = await storedKeys(first);
    await first.close();
    expect(before.signing).toHaveLength(2);
    expect(before.cookie).toHaveLength(1);

    await expect(start(randomBytes(32).toString('base64'))).rejects.toMatchObject({
      code: 'key_decryption_failed',
      message: expect.stringMatching(
        /^PORTCULLIS_KEY_ENCRYPTION_KEY does not decrypt the signing and cookie keys stored in the database; start with the key-encryption key they were created with/,
      ),
    });

    const again = await start(right);
    try {
      expect(await storedKeys(again)).toEqual(before);
    } finally {
      await again.close();
    }
  });
});

/**
 * Outside production without PORTCULLIS_KEY_ENCRYPTION_KEY, the key comes from (or is generated
 * into) <dataDir>/secrets.json. When that file is gone but the database kept its keys (Postgres
 * outlives ./data; an embedded data directory whose secrets.json was deleted), the start must say
 * which key it expected and where it looked, and must not leave a new key behind.
 */
describe.each(sqlBackends)('a lost secrets.json on $name storage', (backend) => {
  let dataDir: string;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portcullis-lost-kek-'));
    if (backend.name === 'postgres') {
      database = await backend.create();
      await database.handle.close();
    }
  });
  afterAll(async () => {
    await database?.drop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = () =>
    startPortcullis(
      loadConfig(
        { NODE_ENV: 'development' },
        {
          port: 0,
          host: '127.0.0.1',
          logLevel: 'silent',
          dataDir,
          ...(database?.url ? { databaseUrl: database.url } : {}),
        },
      ),
    );
  const secretsFile = () => join(dataDir, 'secrets.json');

  it('stops naming the variable and the file it looked for, generates nothing, and starts once the file is back', async () => {
    const first = await start();
    await first.close();
    const original = readFileSync(secretsFile());
    rmSync(secretsFile());

    await expect(start()).rejects.toMatchObject({
      code: 'key_decryption_failed',
      message: expect.stringContaining(
        `PORTCULLIS_KEY_ENCRYPTION_KEY is not set and ${secretsFile()} did not exist`,
      ),
    });
    expect(existsSync(secretsFile())).toBe(false);

    writeFileSync(
      secretsFile(),
      JSON.stringify({ keyEncryptionKey: randomBytes(32).toString('base64') }),
    );
    await expect(start()).rejects.toMatchObject({
      message: expect.stringContaining(`the key-encryption key in ${secretsFile()}`),
    });

    writeFileSync(secretsFile(), original, { mode: 0o600 });
    const again = await start();
    await again.close();
  });
});
