import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cookieKeyContext } from '../../src/domain/cookie-keys.service.ts';
import { decryptWithKek } from '../../src/domain/key-encryption.ts';
import { createKeyRevocationService } from '../../src/domain/key-revocation.service.ts';
import { createKeyRotationService } from '../../src/domain/key-rotation.service.ts';
import { createKeySetLoader } from '../../src/domain/key-set.service.ts';
import { KEY_CHANGES_CHANNEL } from '../../src/storage/key-changes.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';
import { DEFAULT_KEYS, manualClock } from '../support/keys.ts';

const DAY = 86400;
const ENV_SECRET = 'e'.repeat(43);

describe.each(sqlBackends)('the key set on $name storage', (backend) => {
  const kek = randomBytes(32);
  let database: TestDatabase;

  beforeAll(async () => {
    database = await backend.create();
  });
  afterAll(() => database?.drop());
  beforeEach(async () => {
    await sql`truncate signing_keys, cookie_keys, audit_events`.execute(db());
  });

  const db = () => database.handle.db;
  const loader = (keyEncryptionKey = kek) =>
    createKeySetLoader({
      db: db(),
      kek: keyEncryptionKey,
      algorithms: DEFAULT_KEYS.algorithms,
      extraCookieSecrets: [ENV_SECRET],
    });

  /** One retired, one current and one next key per family, as in the middle of a rotation. */
  async function midRotation() {
    const clock = manualClock();
    const rotation = createKeyRotationService({
      db: db(),
      kek,
      keys: DEFAULT_KEYS,
      clock: clock.now,
    });
    await rotation.tick('startup', { wait: true });
    await rotation.rotateNow('cli');
    clock.advance(DAY);
    await rotation.tick();
    await rotation.rotateNow('cli');
    const rows = await db().selectFrom('signing_keys').selectAll().execute();
    const kidOf = (alg: string, state: string) =>
      rows.find((row) => row.alg === alg && row.state === state)?.kid;
    return { kidOf };
  }

  it('gives oidc-provider the current key first and marks next and retired keys verify-only', async () => {
    const { kidOf } = await midRotation();
    const { providerJwks } = await loader().load();

    for (const alg of ['ES256', 'RS256']) {
      const ofAlg = providerJwks.filter((jwk) => jwk.alg === alg);
      expect(ofAlg.map((jwk) => jwk.kid)).toEqual([
        kidOf(alg, 'current'),
        kidOf(alg, 'next'),
        kidOf(alg, 'retired'),
      ]);
      expect(ofAlg.map((jwk) => jwk.key_ops)).toEqual([undefined, ['verify'], ['verify']]);
      expect(ofAlg.every((jwk) => typeof jwk.d === 'string')).toBe(true);
    }
  });

  it('names the keys that sign now, one per algorithm, with the time each began to sign', async () => {
    const { kidOf } = await midRotation();
    const current = await db()
      .selectFrom('signing_keys')
      .select(['kid', 'activated_at', 'created_at'])
      .where('state', '=', 'current')
      .execute();

    const { signing } = await loader().load();
    expect(signing.map((key) => [key.alg, key.kid]).sort()).toEqual([
      ['ES256', kidOf('ES256', 'current')],
      ['RS256', kidOf('RS256', 'current')],
    ]);
    for (const key of signing) {
      const row = current.find((candidate) => candidate.kid === key.kid);
      // Promoted a day after it was made: the age counts from the promotion.
      expect(key.signingSince).toEqual(row?.activated_at);
      expect(key.signingSince.getTime()).toBeGreaterThan(Number(row?.created_at.getTime()));
    }
  });

  it('publishes next, current and retired public keys, and never a revoked one', async () => {
    const { kidOf } = await midRotation();
    const revoked = String(kidOf('ES256', 'retired'));
    await createKeyRevocationService(db(), kek).revoke(revoked);

    const { publishedJwks } = await loader().load();
    expect(publishedJwks.map((jwk) => jwk.kid).sort()).toEqual(
      [
        kidOf('ES256', 'current'),
        kidOf('ES256', 'next'),
        kidOf('RS256', 'current'),
        kidOf('RS256', 'next'),
        kidOf('RS256', 'retired'),
      ].sort(),
    );
    for (const jwk of publishedJwks) {
      expect(
        Object.keys(jwk).filter((name) => ['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(name)),
      ).toEqual([]);
      expect(jwk).toMatchObject({ use: 'sig', alg: expect.stringMatching(/^(ES|RS)256$/) });
    }
  });

  it('signs cookies with the current cookie key and verifies with the others and the env secrets', async () => {
    await midRotation();
    const rows = await db().selectFrom('cookie_keys').selectAll().execute();
    const secretOf = (state: string) => {
      const row = rows.find((candidate) => candidate.state === state);
      return decryptWithKek(kek, String(row?.secret_encrypted), cookieKeyContext(String(row?.id)));
    };
    const { cookieSecrets } = await loader().load();
    expect(cookieSecrets).toEqual([
      secretOf('current'),
      secretOf('next'),
      secretOf('retired'),
      ENV_SECRET,
    ]);
  });

  it('changes its version with every key change, and only then', async () => {
    const keySets = loader();
    await midRotation();
    const before = await keySets.version();
    expect(await keySets.version()).toBe(before);
    expect((await keySets.load()).version).toBe(before);
    const [current] = await db()
      .selectFrom('cookie_keys')
      .select('id')
      .where('state', '=', 'current')
      .execute();
    await createKeyRevocationService(db(), kek).revoke(String(current?.id));
    expect(await keySets.version()).not.toBe(before);
  });

  it('keeps private keys and cookie secrets unreadable without the key-encryption key', async () => {
    await midRotation();
    const { providerJwks, cookieSecrets } = await loader().load();
    const signingRows = await db().selectFrom('signing_keys').selectAll().execute();
    const cookieRows = await db().selectFrom('cookie_keys').selectAll().execute();
    const stored = JSON.stringify([signingRows, cookieRows]);

    for (const jwk of providerJwks) expect(stored).not.toContain(String(jwk.d));
    for (const secret of cookieSecrets.slice(0, -1)) expect(stored).not.toContain(secret);
    for (const row of signingRows) {
      expect(row.private_jwk_encrypted).toMatch(/^v1\./);
      expect(row.public_jwk).not.toHaveProperty('d');
    }
    for (const row of cookieRows) expect(row.secret_encrypted).toMatch(/^v1\./);
  });

  it('refuses to load with another key-encryption key, naming the setting', async () => {
    await midRotation();
    const loading = loader(randomBytes(32)).load();
    await expect(loading).rejects.toMatchObject({
      code: 'key_decryption_failed',
      message: expect.stringContaining('PORTCULLIS_KEY_ENCRYPTION_KEY does not decrypt'),
    });
  });

  it('announces a key change to listeners when it commits', async () => {
    const heard: number[] = [];
    const unlisten = await database.handle.listen(KEY_CHANGES_CHANNEL, () => heard.push(1));
    try {
      const rotation = createKeyRotationService({ db: db(), kek, keys: DEFAULT_KEYS });
      await rotation.tick('startup', { wait: true });
      await expect.poll(() => heard.length, { timeout: 2000 }).toBeGreaterThan(0);
    } finally {
      await unlisten();
    }
  });
});
