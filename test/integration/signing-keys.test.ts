import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRotationService } from '../../src/domain/key-rotation.service.ts';
import { createKeySetLoader } from '../../src/domain/key-set.service.ts';
import { DomainError } from '../../src/shared/errors.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';
import { DEFAULT_KEYS } from '../support/keys.ts';

describe.each(sqlBackends)('signing keys on $name storage', (backend) => {
  const kek = randomBytes(32);
  let database: TestDatabase;

  beforeAll(async () => {
    database = await backend.create();
  });
  afterAll(() => database?.drop());

  const ensureKeys = (db = database.handle.db) =>
    createKeyRotationService({ db, kek, keys: DEFAULT_KEYS }).tick('startup', { wait: true });
  const loadKeySet = (keyEncryptionKey = kek) =>
    createKeySetLoader({
      db: database.handle.db,
      kek: keyEncryptionKey,
      algorithms: DEFAULT_KEYS.algorithms,
      extraCookieSecrets: [],
    }).load();
  const keyRows = () =>
    database.handle.db.selectFrom('signing_keys').selectAll().orderBy('alg').execute();

  it('creates one current ES256 and one current RS256 key named by their JWK thumbprint', async () => {
    await ensureKeys();

    const rows = await keyRows();
    expect(rows.map((row) => [row.alg, row.state])).toEqual([
      ['ES256', 'current'],
      ['RS256', 'current'],
    ]);
    for (const row of rows) {
      expect(row.kid).toBe(await calculateJwkThumbprint(row.public_jwk as JWK));
      expect(row.public_jwk).toMatchObject({ kid: row.kid, alg: row.alg, use: 'sig' });
      expect(row.public_jwk).not.toHaveProperty('d');
    }
  });

  it('keeps the same two keys when keys are ensured again', async () => {
    const before = (await keyRows()).map((row) => row.kid);
    await ensureKeys();
    expect((await keyRows()).map((row) => row.kid)).toEqual(before);
    expect(before).toHaveLength(2);
  });

  it('creates exactly two keys when two instances start on an empty database at once', async () => {
    const fresh = await backend.create();
    try {
      await Promise.all([ensureKeys(fresh.handle.db), ensureKeys(fresh.handle.db)]);
      const rows = await fresh.handle.db.selectFrom('signing_keys').select('alg').execute();
      expect(rows.map((row) => row.alg).sort()).toEqual(['ES256', 'RS256']);
    } finally {
      await fresh.drop();
    }
  });

  it('stores private keys encrypted: the private parameter is not in the table', async () => {
    const { providerJwks } = await loadKeySet();
    expect(providerJwks).toHaveLength(2);
    const rows = await keyRows();
    for (const jwk of providerJwks) {
      expect(typeof jwk.d).toBe('string');
      const row = rows.find((candidate) => candidate.kid === jwk.kid);
      expect(row?.private_jwk_encrypted).toMatch(/^v1\./);
      expect(row?.private_jwk_encrypted).not.toContain(String(jwk.d));
      expect(row?.private_jwk_encrypted).not.toContain('"d"');
    }
  });

  it('refuses to load the private keys with another key-encryption key', async () => {
    const loading = loadKeySet(randomBytes(32));
    await expect(loading).rejects.toBeInstanceOf(DomainError);
    await expect(loading).rejects.toMatchObject({ code: 'key_decryption_failed' });
  });
});
