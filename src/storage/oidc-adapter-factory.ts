import type { Kysely } from 'kysely';
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { ClientCache } from './client-cache.ts';
import { consumeGraceSeconds } from './consume-grace.ts';
import { createClientAdapter } from './oidc-client-adapter.ts';
import { withHashedIds } from './oidc-hashed-ids.ts';
import { createPayloadLookups, type PayloadLookups } from './oidc-payload-lookups.ts';
import type { SecretBox } from './oidc-payload-sealing.ts';
import { createRedisAdapter } from './oidc-redis-adapter.ts';
import { createSqlAdapter } from './oidc-sql-adapter.ts';
import type { RedisHandle } from './redis.ts';
import type { Database } from './schema.ts';

/**
 * The models that are hot and short-lived: with Redis configured they live there, under native
 * TTLs. Grants, refresh tokens and opaque access tokens must survive a Redis flush, so they stay
 * in SQL whatever happens.
 */
export const REDIS_MODELS: ReadonlySet<string> = new Set([
  'Session',
  'Interaction',
  'AuthorizationCode',
  'DeviceCode',
  'PushedAuthorizationRequest',
  'ReplayDetection',
  'BackchannelAuthenticationRequest',
]);

export interface AdapterStores {
  db: Kysely<Database>;
  /** Without Redis, every model lives in SQL. */
  redis?: RedisHandle | undefined;
  refreshTokenReuseGraceSeconds: number;
  /** Client lookups go through it (see client-cache.ts). */
  clientCache?: ClientCache<AdapterPayload> | undefined;
  /** Seals the few bearer values oidc-provider needs back in clear (oidc-payload-sealing.ts). */
  secretBox: SecretBox;
}

/**
 * Chooses the store for each oidc-provider model: clients from their table, then Redis or SQL.
 * Either store sees hashes of token, code and session ids, never the values (oidc-hashed-ids.ts).
 */
export function createOidcAdapterFactory(stores: AdapterStores): AdapterFactory {
  const adapters = new Map<string, Adapter>();
  // Shared by every SQL model, so that one token looked up in several models is one query.
  const lookups = createPayloadLookups(stores.db);
  return (model) => {
    let adapter = adapters.get(model);
    if (!adapter) {
      adapter = withHashedIds(model, adapterFor(stores, model, lookups), stores.secretBox);
      adapters.set(model, adapter);
    }
    return adapter;
  };
}

function adapterFor(stores: AdapterStores, model: string, lookups: PayloadLookups): Adapter {
  if (model === 'Client') return createClientAdapter(stores.db, stores.clientCache);
  if (stores.redis && REDIS_MODELS.has(model)) return createRedisAdapter(stores.redis, model);
  return createSqlAdapter(stores.db, model, {
    consumeGraceSeconds: consumeGraceSeconds(model, stores.refreshTokenReuseGraceSeconds),
    lookups,
  });
}
