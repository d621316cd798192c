import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createKeyRevocationService } from '../../src/domain/key-revocation.service.ts';
import { createKeyRotationService } from '../../src/domain/key-rotation.service.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';
import { DEFAULT_KEYS, manualClock } from '../support/keys.ts';

const DAY = 86400;

describe.each(sqlBackends)('key rotation on $name storage', (backend) => {
  const kek = randomBytes(32);
  let database: TestDatabase;
  let clock: ReturnType<typeof manualClock>;

  beforeAll(async () => {
    database = await backend.create();
  });
  afterAll(() => database?.drop());
  beforeEach(async () => {
    await sql`truncate signing_keys, cookie_keys, audit_events`.execute(db());
    clock = manualClock(new Date());
  });

  const db = () => database.handle.db;
  const rotation = () =>
    createKeyRotationService({ db: db(), kek, keys: DEFAULT_KEYS, clock: clock.now });
  const signingKeys = () =>
    db().selectFrom('signing_keys').selectAll().orderBy('created_at').orderBy('alg').execute();
  const statesOf = async (alg: string) =>
    (await signingKeys()).filter((key) => key.alg === alg).map((key) => key.state);
  const auditTrail = () =>
    db()
      .selectFrom('audit_events')
      .select(['type', 'actor', 'subject', 'data'])
      .orderBy('id')
      .execute();

  it('creates one signing key per configured algorithm and a cookie key at first start, audited', async () => {
    expect(await rotation().tick('startup', { wait: true })).toBe(3);

    const keys = await signingKeys();
    expect(keys.map((key) => [key.alg, key.state]).sort()).toEqual([
      ['ES256', 'current'],
      ['RS256', 'current'],
    ]);
    const cookieKeys = await db().selectFrom('cookie_keys').selectAll().execute();
    expect(cookieKeys.map((key) => key.state)).toEqual(['current']);
    const trail = await auditTrail();
    expect(trail).toHaveLength(3);
    for (const event of trail) {
      expect(event).toMatchObject({ actor: 'startup', data: { state: 'current' } });
    }
    expect(trail.map((event) => event.subject).sort()).toEqual(
      [...keys.map((key) => key.kid), cookieKeys[0]?.id].sort(),
    );
  });

  it('takes a key from next to current to retired to removed on schedule, auditing every step', async () => {
    const service = rotation();
    await service.tick('startup', { wait: true });
    const [first] = (await signingKeys()).filter((key) => key.alg === 'ES256');

    clock.advance(30 * DAY - DAY - 1);
    expect(await service.tick()).toBe(0);
    clock.advance(1);
    expect(await service.tick()).toBe(3); // a next key for ES256, RS256 and the cookie keys
    expect(await statesOf('ES256')).toEqual(['current', 'next']);

    clock.advance(DAY - 1);
    expect(await service.tick()).toBe(0);
    clock.advance(1);
    await service.tick();
    expect(await statesOf('ES256')).toEqual(['retired', 'current']);

    clock.advance(7 * DAY);
    await service.tick();
    const ended = (await signingKeys()).find((key) => key.kid === first?.kid);
    expect(ended).toMatchObject({ state: 'removed', private_jwk_encrypted: null });

    const es256 = (await auditTrail()).filter((event) => event.data.family === 'ES256');
    expect(es256.map((event) => [event.type, event.actor])).toEqual([
      ['signing_key.created', 'startup'],
      ['signing_key.created', 'job'],
      ['signing_key.retired', 'job'],
      ['signing_key.promoted', 'job'],
      ['signing_key.removed', 'job'],
    ]);
    const promoted = es256[3];
    expect(promoted?.data).toMatchObject({ kid: promoted?.subject, replaces: first?.kid });
  });

  it('acts once when instances start together on an empty database', async () => {
    await Promise.all([
      rotation().tick('startup', { wait: true }),
      rotation().tick('startup', { wait: true }),
      rotation().tick('startup', { wait: true }),
    ]);
    expect((await signingKeys()).map((key) => key.alg).sort()).toEqual(['ES256', 'RS256']);
  });

  it.runIf(backend.name === 'postgres')(
    'skips a job pass while another instance holds the lock',
    async () => {
      const { lockKeys } = await import('../../src/storage/key-changes.ts');
      let release = () => {};
      const held = db()
        .transaction()
        .execute(async (trx) => {
          await lockKeys(trx);
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await rotation().tick('job')).toBe(0);
      release();
      await held;
      expect(await rotation().tick('job')).toBe(3);
    },
  );

  it('stages a rotation on request: next keys are published now and sign after the lead time', async () => {
    const service = rotation();
    await service.tick('startup', { wait: true });
    const staged = await service.rotateNow('cli');

    expect(staged.map((step) => step.family).sort()).toEqual(['ES256', 'RS256', 'cookie']);
    const now = await clock.now();
    for (const step of staged) {
      expect(step.signsFrom.getTime() - now.getTime()).toBe(DAY * 1000);
    }
    expect(await statesOf('RS256')).toEqual(['current', 'next']);

    clock.advance(DAY - 1);
    await service.tick();
    expect(await statesOf('RS256')).toEqual(['current', 'next']);
    clock.advance(1);
    await service.tick();
    expect(await statesOf('RS256')).toEqual(['retired', 'current']);
    const requested = (await auditTrail()).filter((event) => event.actor === 'cli');
    expect(requested.map((event) => event.type)).toContain('signing_key.created');
  });

  it('revokes a signing key at once: unpublished, private key destroyed, the next key signs', async () => {
    const service = rotation();
    await service.tick('startup', { wait: true });
    await service.rotateNow('cli');
    const [current, next] = (await signingKeys()).filter((key) => key.alg === 'ES256');

    const revocation = await createKeyRevocationService(db(), kek).revoke(String(current?.kid));

    expect(revocation).toMatchObject({
      kind: 'signing_key',
      family: 'ES256',
      previousState: 'current',
      replacement: { id: next?.kid },
    });
    const after = await signingKeys();
    expect(after.find((key) => key.kid === current?.kid)).toMatchObject({
      state: 'revoked',
      private_jwk_encrypted: null,
    });
    expect(after.find((key) => key.kid === next?.kid)?.state).toBe('current');
    const types = (await auditTrail()).slice(-2).map((event) => event.type);
    expect(types).toEqual(['signing_key.revoked', 'signing_key.promoted']);
  });

  it('creates a new signing key when the revoked one had no successor, and refuses unknown ids', async () => {
    await rotation().tick('startup', { wait: true });
    const [current] = (await signingKeys()).filter((key) => key.alg === 'RS256');
    const revocations = createKeyRevocationService(db(), kek);

    const revocation = await revocations.revoke(String(current?.kid));
    expect(revocation.replacement).toMatchObject({ publishedForSeconds: 0 });
    expect(await statesOf('RS256')).toEqual(['revoked', 'current']);

    await expect(revocations.revoke(String(current?.kid))).rejects.toMatchObject({
      code: 'key_not_live',
    });
    await expect(revocations.revoke('no-such-kid')).rejects.toMatchObject({
      code: 'key_not_found',
      status: 404,
    });
  });

  it('makes no key under another key-encryption key, where no server could open it', async () => {
    await rotation().tick('startup', { wait: true });
    const before = await signingKeys();
    const otherKek = randomBytes(32);
    const stranger = createKeyRotationService({ db: db(), kek: otherKek, keys: DEFAULT_KEYS });

    await expect(stranger.rotateNow('cli')).rejects.toMatchObject({
      code: 'key_decryption_failed',
    });
    await expect(
      createKeyRevocationService(db(), otherKek).revoke(String(before[0]?.kid)),
    ).rejects.toMatchObject({ code: 'key_decryption_failed' });
    expect(await signingKeys()).toEqual(before);
  });

  it('revokes a cookie key and makes a new one sign', async () => {
    await rotation().tick('startup', { wait: true });
    const [cookieKey] = await db().selectFrom('cookie_keys').selectAll().execute();
    const revocation = await createKeyRevocationService(db(), kek).revoke(String(cookieKey?.id));
    expect(revocation).toMatchObject({ kind: 'cookie_key', previousState: 'current' });
    const states = await db().selectFrom('cookie_keys').select(['id', 'state']).execute();
    expect(states.map((key) => key.state).sort()).toEqual(['current', 'revoked']);
  });
});
