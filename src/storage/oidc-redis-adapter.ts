import type { Adapter, AdapterPayload } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { refuseNulPayload } from './nul.ts';
import { defineOidcScripts } from './oidc-redis-scripts.ts';
import { guarded, type RedisHandle } from './redis.ts';

/** The payload fields that oidc-provider looks entries up by, besides their id. */
const LOOKUPS = ['uid', 'userCode'] as const;

/**
 * Stores one oidc-provider model in Redis, with Redis's own expiry as the TTL. Keys, under the
 * configured prefix:
 *
 *   <prefix><Model>:<id>               the entry (a hash, see oidc-redis-scripts.ts)
 *   <prefix><Model>:uid:<uid>          → id, for Session.findByUid
 *   <prefix><Model>:userCode:<code>    → id, for DeviceCode.findByUserCode
 *   <prefix><Model>:grant:<grantId>    the set of entries of one grant, for revokeByGrantId
 *   <prefix>Session:account:<accountId> the set of an account's sessions (account-access.ts)
 *
 * Ids, uids, user codes and account ids never contain ':', so these names cannot collide. A
 * session has no grant; the set it joins is its account's, by the same mechanism.
 */
export function createRedisAdapter(redis: RedisHandle, model: string): Adapter {
  const { client, onCommand } = redis;
  defineOidcScripts(client);
  const space = `${redis.prefix}${model}:`;
  const entryKey = (id: string) => `${space}${id}`;
  const lookupKey = (field: (typeof LOOKUPS)[number], value: string) => `${space}${field}:${value}`;
  const grantKey = (grantId: string) => `${space}grant:${grantId}`;

  const find = async (id: string): Promise<AdapterPayload | undefined> => {
    const [payload, consumed] = await guarded(
      client.hmget(entryKey(id), 'payload', 'consumed'),
      onCommand,
    );
    if (!payload) return undefined;
    const parsed = JSON.parse(payload) as AdapterPayload;
    return consumed ? { ...parsed, consumed: Number(consumed) } : parsed;
  };

  const findBy = async (field: (typeof LOOKUPS)[number], value: string) => {
    const id = await guarded(client.get(lookupKey(field, value)), onCommand);
    return id ? find(id) : undefined;
  };

  return {
    async upsert(id, payload, expiresIn) {
      const ttl = expiresIn && expiresIn > 0 ? Math.ceil(expiresIn) : 0;
      const lookups = LOOKUPS.flatMap((field) => {
        const value = payload[field];
        return typeof value === 'string' && value ? [lookupKey(field, value)] : [];
      });
      const grant = payload.grantId
        ? [grantKey(payload.grantId)]
        : model === 'Session' && typeof payload.accountId === 'string'
          ? [accountSessionsKey(redis.prefix, payload.accountId)]
          : [];
      const keys = [entryKey(id), ...lookups, ...grant];
      const json = JSON.stringify(payload);
      // Redis would store it; refused all the same, as SQL must (nul.ts).
      refuseNulPayload(json);
      const args = [json, ttl, grant.length ? '1' : '0', id];
      await guarded(client.oidcUpsert(keys.length, ...keys, ...args), onCommand);
    },

    find,

    findByUid: (uid) => findBy('uid', uid),

    findByUserCode: (userCode) => findBy('userCode', userCode),

    /** Same contract as the SQL adapter: the second consumption is refused. */
    async consume(id) {
      const consumed = await guarded(client.oidcConsume(entryKey(id)), onCommand);
      if (consumed !== 1) throw new errors.InvalidGrant(`${model} was already used`);
    },

    async destroy(id) {
      await guarded(client.oidcDestroy(entryKey(id), id), onCommand);
    },

    async revokeByGrantId(grantId) {
      await guarded(client.oidcRevokeByGrant(grantKey(grantId)), onCommand);
    },
  };
}

/** The set of one account's sessions in Redis. */
export function accountSessionsKey(prefix: string, accountId: string): string {
  return `${prefix}Session:account:${accountId}`;
}
