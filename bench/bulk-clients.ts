import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { hashClientSecret } from '../src/domain/client-secret.ts';
import { findClientById } from '../src/storage/clients.repository.ts';
import type { Database } from '../src/storage/schema.ts';
import type { ServiceClient } from './seed.ts';

const BATCH = 1000;

/**
 * Many registered clients, fast: rows inserted with SQL in batches of a thousand, each a copy of
 * a client the clients service created (same metadata), with a secret of its own whose hash is
 * stored like any other. `client(i)` gives the credentials of the i-th.
 */
export async function registerManyClients(
  db: Kysely<Database>,
  template: ServiceClient,
  count: number,
): Promise<{ count: number; client(index: number): ServiceClient }> {
  const row = await findClientById(db, template.clientId);
  if (!row) throw new Error('the template client is missing');
  const key = randomBytes(32);
  const client = (index: number): ServiceClient => ({
    clientId: `bench-client-${index}`,
    clientSecret: createHmac('sha256', key).update(String(index)).digest('base64url'),
  });
  for (let start = 0; start < count; start += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, count - start) }, (_, offset) => {
      const { clientId, clientSecret } = client(start + offset);
      return {
        client_id: clientId,
        name: `bench client ${start + offset}`,
        secret_hash: hashClientSecret(clientSecret),
        first_party: false,
        metadata: JSON.stringify(row.metadata),
      };
    });
    await db.insertInto('clients').values(rows).execute();
  }
  return { count, client };
}
