import type { Kysely } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { findClientById } from './clients.repository.ts';
import type { Database } from './schema.ts';

/**
 * oidc-provider reads clients through an adapter named "Client". Ours reads the `clients` table,
 * which the CLI manages; the provider never writes clients (no dynamic registration).
 * `client_secret` carries the stored hash: see oidc/client-secrets.ts.
 */
export function createClientAdapter(db: Kysely<Database>): Adapter {
  const readOnly = async () => {
    throw new Error('clients are managed with the portcullis CLI, not through the provider');
  };
  return {
    async find(clientId) {
      const row = await findClientById(db, clientId);
      if (!row) return undefined;
      return {
        ...row.metadata,
        client_id: row.client_id,
        client_name: row.name,
        ...(row.secret_hash ? { client_secret: row.secret_hash } : {}),
        first_party: row.first_party,
      } as AdapterPayload;
    },
    upsert: readOnly,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: readOnly,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
  };
}
