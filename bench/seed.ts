import type { Kysely } from 'kysely';
import { createAccountsService } from '../src/domain/accounts.service.ts';
import { createClientsService } from '../src/domain/clients.service.ts';
import type { Database } from '../src/storage/schema.ts';
import type { BenchClient, BenchUser } from './http/sign-in.ts';

export interface ServiceClient {
  clientId: string;
  clientSecret: string;
}

export interface Seed {
  users: Array<BenchUser & { id: string }>;
  /** Confidential clients allowed client_credentials only (service-to-service). */
  services: ServiceClient[];
  /** A first-party confidential web app: authorization code + refresh tokens, no consent page. */
  webApp: BenchClient;
  /** A third-party web app: its users see the consent page. */
  thirdParty: BenchClient;
}

const REDIRECT_URI = 'http://localhost:8080/callback';
const PASSWORD = 'correct horse battery staple';

/**
 * Users and clients, created through the same services the CLI uses (so passwords are argon2id
 * hashes and client secrets SHA-256 hashes, as in production).
 */
export async function seed(
  db: Kysely<Database>,
  counts: { users: number; services: number },
): Promise<Seed> {
  const accounts = createAccountsService(db);
  const clients = createClientsService(db);
  const users = await Promise.all(
    Array.from({ length: counts.users }, async (_, index) => {
      const email = `bench-user-${index}@example.com`;
      const account = await accounts.create({ email, password: PASSWORD, name: `User ${index}` });
      return { id: account.id, email, password: PASSWORD };
    }),
  );
  const services: ServiceClient[] = [];
  for (let index = 0; index < counts.services; index += 1) {
    const created = await clients.create({
      name: `bench service ${index}`,
      grantTypes: ['client_credentials'],
    });
    services.push({ clientId: created.client.client_id, clientSecret: created.clientSecret ?? '' });
  }
  const webApp = async (name: string, firstParty: boolean): Promise<BenchClient> => {
    const created = await clients.create({
      name,
      redirectUris: [REDIRECT_URI],
      grantTypes: ['authorization_code', 'refresh_token'],
      firstParty,
    });
    return {
      clientId: created.client.client_id,
      clientSecret: created.clientSecret ?? '',
      redirectUri: REDIRECT_URI,
    };
  };
  return {
    users,
    services,
    webApp: await webApp('bench web app', true),
    thirdParty: await webApp('bench third-party app', false),
  };
}
