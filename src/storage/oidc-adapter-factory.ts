import type { Kysely } from 'kysely';
import type { AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { ClientCache } from './client-cache.ts';
import { createClientAdapter } from './oidc-client-adapter.ts';
import { createPayloadLookups } from './oidc-payload-lookups.ts';
import { createSqlAdapter } from './oidc-sql-adapter.ts';
import type { Database } from './schema.ts';

/** Chooses the store for each oidc-provider model: clients from their table, the rest in SQL. */
export function createOidcAdapterFactory(
  db: Kysely<Database>,
  clientCache?: ClientCache<AdapterPayload>,
): AdapterFactory {
  const adapters = new Map<string, ReturnType<AdapterFactory>>();
  const lookups = createPayloadLookups(db);
  return (model) => {
    let adapter = adapters.get(model);
    if (!adapter) {
      adapter =
        model === 'Client'
          ? createClientAdapter(db, clientCache)
          : createSqlAdapter(db, model, { lookups });
      adapters.set(model, adapter);
    }
    return adapter;
  };
}
