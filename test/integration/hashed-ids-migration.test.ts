import { randomBytes, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { FileMigrationProvider, Migrator } from 'kysely/migration';
import type { AdapterPayload } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kekSecretBox } from '../../src/domain/key-encryption.ts';
import { migrateToLatest } from '../../src/storage/migrate.ts';
import { withHashedIds } from '../../src/storage/oidc-hashed-ids.ts';
import { createSqlAdapter } from '../../src/storage/oidc-sql-adapter.ts';
import type { Database } from '../../src/storage/schema.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';
import { foundIn, sqlRowsAsText } from '../support/stored-text.ts';

const MIGRATION = '2026-12-02T18-00-00_hashed-payload-ids';
const migrationFolder = fileURLToPath(new URL('../../migrations', import.meta.url));
const value = () => randomBytes(32).toString('base64url');

/** Applies the migrations that come before MIGRATION, as an earlier version left the database. */
async function migrateToJustBefore(db: Kysely<Database>): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder }),
    migrationTableName: 'portcullis_migrations',
    migrationLockTableName: 'portcullis_migrations_lock',
  });
  const names = (await migrator.getMigrations()).map((migration) => migration.name);
  const previous = names[names.indexOf(MIGRATION) - 1];
  if (!previous) throw new Error(`no migration before ${MIGRATION}`);
  const { error } = await migrator.migrateTo(previous);
  if (error) throw error;
}

describe.each(sqlBackends)('upgrading stored entries to hashed ids on $name', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.create({ migrate: false });
    await migrateToJustBefore(database.handle.db);
  });
  afterAll(() => database?.drop());

  it('hashes the ids of the entries already stored, so each is still found by its value', async () => {
    const { db } = database.handle;
    const box = kekSecretBox(randomBytes(32));
    const grantId = randomUUID();
    const [refresh, used, access, session, interaction, par, device] = [
      value(),
      value(),
      value(),
      value(),
      value(),
      value(),
      value(),
    ];
    const uid = randomUUID();
    const returnTo = `http://localhost:3000/auth/${interaction}`;
    const before: Array<[string, string, AdapterPayload]> = [
      ['RefreshToken', refresh, { kind: 'RefreshToken', jti: refresh, grantId }],
      ['RefreshToken', used, { kind: 'RefreshToken', jti: used, grantId }],
      ['AccessToken', access, { kind: 'AccessToken', jti: access, grantId, accountId: 'a-1' }],
      ['Session', session, { kind: 'Session', jti: session, uid, accountId: 'a-1' }],
      [
        'Interaction',
        interaction,
        { kind: 'Interaction', jti: interaction, returnTo, session: { uid, cookie: session } },
      ],
      ['Grant', grantId, { kind: 'Grant', jti: grantId, accountId: 'a-1', clientId: 'c-1' }],
      ['PushedAuthorizationRequest', par, { kind: 'PushedAuthorizationRequest', jti: par }],
      ['DeviceCode', device, { kind: 'DeviceCode', jti: device, userCode: 'BCDF-GHJK' }],
    ];
    // Rows as the earlier version wrote them: its SQL adapter is this one, without the wrapper.
    for (const [model, id, payload] of before) {
      await createSqlAdapter(db, model).upsert(id, payload, 600);
    }
    await createSqlAdapter(db, 'RefreshToken').consume(used);

    expect(await migrateToLatest(db)).toContain(MIGRATION);

    const hashed = (model: string) => withHashedIds(model, createSqlAdapter(db, model), box);
    const byModel = (model: string) => before.filter(([name]) => name === model);
    for (const [model, id, payload] of [
      ...byModel('RefreshToken'),
      ...byModel('AccessToken'),
      ...byModel('Session'),
      ...byModel('Grant'),
      ...byModel('PushedAuthorizationRequest'),
    ]) {
      const found = await hashed(model).find(id);
      expect(found).toEqual(id === used ? { ...payload, consumed: expect.any(Number) } : payload);
    }
    expect(await hashed('Session').findByUid(uid)).toEqual({
      kind: 'Session',
      uid,
      accountId: 'a-1',
    });
    expect(await hashed('Interaction').find(interaction)).toEqual({
      kind: 'Interaction',
      jti: interaction,
      returnTo,
      session: { uid },
    });
    // The device flow was never on; a device code cannot be rewritten without the key, so it goes.
    expect(await hashed('DeviceCode').findByUserCode('BCDF-GHJK')).toBeUndefined();

    const text = await sqlRowsAsText(db);
    const bearer = [refresh, used, access, session, interaction, device];
    expect(
      foundIn(
        text,
        bearer.map((id) => ({ name: id, value: id })),
      ),
    ).toEqual([]);
  });
});
