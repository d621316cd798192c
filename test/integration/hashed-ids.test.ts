import { randomBytes, randomUUID } from 'node:crypto';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kekSecretBox } from '../../src/domain/key-encryption.ts';
import { storedId, withHashedIds } from '../../src/storage/oidc-hashed-ids.ts';
import { createPayloadLookups } from '../../src/storage/oidc-payload-lookups.ts';
import { createRedisAdapter } from '../../src/storage/oidc-redis-adapter.ts';
import { createSqlAdapter } from '../../src/storage/oidc-sql-adapter.ts';
import {
  createTestRedis,
  sqlBackends,
  TEST_REDIS_URL,
  type TestDatabase,
  type TestRedis,
} from '../support/backends.ts';
import { foundIn, redisEntriesAsText, sqlRowsAsText } from '../support/stored-text.ts';
import { type AdapterBackend, runAdapterContract } from './adapter-contract.ts';

const box = kekSecretBox(randomBytes(32));
/** Values as long and random as oidc-provider's (43 base64url characters for tokens). */
const value = () => randomBytes(32).toString('base64url');
const withoutJti = ({ jti: _jti, ...payload }: AdapterPayload) => payload;

/** A store seen through the hashing wrapper, as the server wires it, and its raw contents. */
interface HashedStore extends AdapterBackend {
  storedText(): Promise<string[]>;
}

const stores: Array<{ name: string; open(): Promise<HashedStore> }> = [
  ...sqlBackends.map((backend) => ({
    name: `SQL on ${backend.name}`,
    async open(): Promise<HashedStore> {
      const database: TestDatabase = await backend.create();
      const { db } = database.handle;
      const lookups = createPayloadLookups(db);
      return {
        adapterFor: (model) => withHashedIds(model, createSqlAdapter(db, model, { lookups }), box),
        close: () => database.drop(),
        foundByUid: withoutJti,
        storedText: () => sqlRowsAsText(db),
      };
    },
  })),
  ...(TEST_REDIS_URL
    ? [
        {
          name: 'Redis',
          async open(): Promise<HashedStore> {
            const redis: TestRedis = await createTestRedis(TEST_REDIS_URL as string);
            return {
              adapterFor: (model) =>
                withHashedIds(model, createRedisAdapter(redis.handle, model), box),
              close: () => redis.drop(),
              foundByUid: withoutJti,
              storedText: () => redisEntriesAsText(redis),
            };
          },
        },
      ]
    : []),
];

for (const store of stores) {
  // Everything oidc-provider expects of an adapter holds through the wrapper.
  runAdapterContract(`${store.name}, ids hashed`, () => store.open());

  describe(`token, code and session ids hashed in ${store.name}`, () => {
    let opened: HashedStore;
    let adapterFor: (model: string) => Adapter;
    beforeAll(async () => {
      opened = await store.open();
      adapterFor = (model) => opened.adapterFor(model);
    });
    afterAll(() => opened?.close());

    it('keeps no copy of the values, only their hashes, and finds each entry by its value', async () => {
      const grantId = randomUUID();
      const [access, refresh, code, session, interaction, device] = [
        value(),
        value(),
        value(),
        value(),
        value(),
        value(),
      ];
      const uid = randomUUID();
      const entries: Array<[string, string, AdapterPayload]> = [
        ['AccessToken', access, { kind: 'AccessToken', jti: access, grantId, accountId: 'a-1' }],
        ['RefreshToken', refresh, { kind: 'RefreshToken', jti: refresh, grantId, rotations: 0 }],
        ['AuthorizationCode', code, { kind: 'AuthorizationCode', jti: code, grantId }],
        ['Session', session, { kind: 'Session', jti: session, uid, accountId: 'a-1' }],
        [
          'Interaction',
          interaction,
          {
            kind: 'Interaction',
            jti: interaction,
            returnTo: `http://localhost:3000/auth/${interaction}`,
            session: { uid, accountId: 'a-1', cookie: session },
          },
        ],
        ['DeviceCode', device, { kind: 'DeviceCode', jti: device, userCode: 'BCDF-GHJK' }],
      ];
      for (const [model, id, payload] of entries) await adapterFor(model).upsert(id, payload, 60);

      const text = await opened.storedText();
      const values = entries.map(([model, id]) => ({ name: model, value: id }));
      expect(foundIn(text, values)).toEqual([]);
      const hashes = entries.map(([model, id]) => ({ name: model, value: storedId(id) }));
      expect(foundIn(text, hashes)).toEqual(entries.map(([model]) => model));

      for (const [model, id, payload] of entries.filter(([model]) => model !== 'Interaction')) {
        expect(await adapterFor(model).find(id)).toEqual(payload);
      }
      const [, , interactionPayload] = entries[4] as (typeof entries)[number];
      expect(await adapterFor('Interaction').find(interaction)).toEqual({
        ...interactionPayload,
        session: { uid, accountId: 'a-1' },
      });
      expect(await adapterFor('DeviceCode').findByUserCode('BCDF-GHJK')).toEqual(entries[5]?.[2]);
      // A hash handed back as if it were the value finds nothing: what is stored is no key.
      expect(await adapterFor('RefreshToken').find(storedId(refresh))).toBeUndefined();
      await adapterFor('AccessToken').revokeByGrantId(grantId);
      await adapterFor('RefreshToken').revokeByGrantId(grantId);
      await adapterFor('AuthorizationCode').revokeByGrantId(grantId);
      expect(await adapterFor('RefreshToken').find(refresh)).toBeUndefined();
    });

    it('consumes and destroys an entry by its value', async () => {
      const codes = adapterFor('AuthorizationCode');
      const code = value();
      await codes.upsert(code, { kind: 'AuthorizationCode', jti: code }, 60);
      await codes.consume(code);
      expect(await codes.find(code)).toMatchObject({ jti: code, consumed: expect.any(Number) });
      await codes.destroy(code);
      expect(await codes.find(code)).toBeUndefined();
    });
  });
}

describe('models whose ids are not bearer values', () => {
  it('reach the store as they are: grants, pushed requests and models of ours', () => {
    const inner = {} as Adapter;
    for (const model of ['Grant', 'PushedAuthorizationRequest', 'ReplayDetection', 'Ours']) {
      expect(withHashedIds(model, inner, box)).toBe(inner);
    }
    expect(withHashedIds('RefreshToken', inner, box)).not.toBe(inner);
  });
});
