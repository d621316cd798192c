import type { Kysely } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { ClientCache } from './client-cache.ts';
import { findClientById } from './clients.repository.ts';
import type { Database } from './schema.ts';

/**
 * oidc-provider reads clients through an adapter named "Client". Ours reads the `clients` table,
 * which the CLI manages; the provider never writes clients (no dynamic registration).
 * `client_secret` carries the stored hash: see oidc/client-secrets.ts. Every token request looks
 * its client up, so lookups go through `cache` when one is given (see client-cache.ts).
 */
export function createClientAdapter(
  db: Kysely<Database>,
  cache?: ClientCache<AdapterPayload>,
): Adapter {
  const readOnly = async () => {
    throw new Error('clients are managed with the portcullis CLI, not through the provider');
  };
  const load = async (clientId: string): Promise<AdapterPayload | undefined> => {
    const row = await findClientById(db, clientId);
    if (!row) return undefined;
    return {
      ...row.metadata,
      client_id: row.client_id,
      client_name: row.name,
      ...(row.secret_hash ? { client_secret: row.secret_hash } : {}),
      first_party: row.first_party,
    } as AdapterPayload;
  };
  return {
    find: (clientId) => (cache ? cache.get(clientId, () => load(clientId)) : load(clientId)),
    upsert: readOnly,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: readOnly,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
  };
}
