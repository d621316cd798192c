import type { Redis, Result } from 'ioredis';

/**
 * The Lua scripts behind the Redis adapter. Each runs atomically inside Redis, so an entry, its
 * lookup keys (uid, user code) and its grant-set membership never disagree, and of two
 * concurrent consumptions exactly one wins.
 *
 * An entry is a hash: `payload` (JSON), `id`, `consumed` (epoch seconds, once consumed),
 * `lookups` (space-separated keys that point at this id) and `grant` (the grant set it is in).
 * Lookup keys and grant-set members are read from the entry, so Portcullis needs a standalone
 * Redis (or Sentinel), not Redis Cluster.
 */

// Removes an entry's lookup keys (only those still pointing at it) and its grant membership.
const UNLINK = `
local function unlink(entry, id)
  local fields = redis.call('HMGET', entry, 'grant', 'lookups')
  if fields[1] then redis.call('SREM', fields[1], entry) end
  if fields[2] then
    for key in string.gmatch(fields[2], '%S+') do
      if redis.call('GET', key) == id then redis.call('DEL', key) end
    end
  end
end
`;

// KEYS: the entry, its lookup keys, then its grant set when ARGV[3] is '1'.
// ARGV: payload JSON, TTL in seconds (0: none), '1' | '0', the entry id.
const UPSERT = `${UNLINK}
local entry, payload, ttl, id = KEYS[1], ARGV[1], tonumber(ARGV[2]), ARGV[4]
local last, grant = #KEYS, nil
if ARGV[3] == '1' then grant = KEYS[last]; last = last - 1 end
local function expire(key)
  if ttl > 0 then redis.call('EXPIRE', key, ttl) else redis.call('PERSIST', key) end
end
unlink(entry, id)
redis.call('HSET', entry, 'payload', payload, 'id', id)
redis.call('HDEL', entry, 'grant', 'lookups')
local lookups = {}
for i = 2, last do
  redis.call('SET', KEYS[i], id)
  expire(KEYS[i])
  lookups[#lookups + 1] = KEYS[i]
end
if #lookups > 0 then redis.call('HSET', entry, 'lookups', table.concat(lookups, ' ')) end
expire(entry)
if grant then
  local fresh = redis.call('EXISTS', grant) == 0
  redis.call('SADD', grant, entry)
  redis.call('HSET', entry, 'grant', grant)
  local current = redis.call('TTL', grant)
  if ttl == 0 then redis.call('PERSIST', grant)
  elseif fresh or (current >= 0 and current < ttl) then redis.call('EXPIRE', grant, ttl) end
end
return 1
`;

// KEYS: the entry. Returns 1 when this call consumed it, 0 when it is gone or already consumed.
const CONSUME = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'consumed', redis.call('TIME')[1])
`;

// KEYS: the entry. ARGV: its id.
const DESTROY = `${UNLINK}
unlink(KEYS[1], ARGV[1])
return redis.call('DEL', KEYS[1])
`;

// KEYS: the grant set. Deletes every entry in it, their lookups, then the set.
const REVOKE_BY_GRANT = `${UNLINK}
for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local id = redis.call('HGET', entry, 'id')
  if id then unlink(entry, id) end
  redis.call('DEL', entry)
end
return redis.call('DEL', KEYS[1])
`;

type Arg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    oidcUpsert(numKeys: number, ...keysAndArgs: Arg[]): Result<number, Context>;
    oidcConsume(entry: string): Result<number, Context>;
    oidcDestroy(entry: string, id: string): Result<number, Context>;
    oidcRevokeByGrant(grantSet: string): Result<number, Context>;
  }
}

const defined = new WeakSet<Redis>();

/**
 * Registers the scripts on a client, once. ioredis runs them by SHA and reloads one that Redis
 * has forgotten (after a restart), so they survive Redis coming back.
 */
export function defineOidcScripts(client: Redis): void {
  if (defined.has(client)) return;
  defined.add(client);
  client.defineCommand('oidcUpsert', { lua: UPSERT });
  client.defineCommand('oidcConsume', { lua: CONSUME, numberOfKeys: 1 });
  client.defineCommand('oidcDestroy', { lua: DESTROY, numberOfKeys: 1 });
  client.defineCommand('oidcRevokeByGrant', { lua: REVOKE_BY_GRANT, numberOfKeys: 1 });
}
