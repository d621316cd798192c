import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { createAccountsService } from '../../src/domain/accounts.service.ts';
import { createClientsService, type NewClient } from '../../src/domain/clients.service.ts';
import { type Portcullis, type StartOptions, startPortcullis } from '../../src/portcullis.ts';
import type { SqlBackend, TestDatabase } from './backends.ts';

export interface TestServer {
  portcullis: Portcullis;
  issuer: string;
  config: Config;
  accounts: ReturnType<typeof createAccountsService>;
  clients: ReturnType<typeof createClientsService>;
  createUser(overrides?: { email?: string; password?: string; name?: string }): Promise<{
    id: string;
    email: string;
    password: string;
  }>;
  createClient(input?: Partial<NewClient>): Promise<{ clientId: string; clientSecret?: string }>;
  close(): Promise<void>;
}

/**
 * The whole server on a real port (127.0.0.1, chosen by the OS) with issuer = its real URL, on a
 * fresh database of the given backend. Secrets are random per server. With a `databaseUrl`
 * override it joins that database instead (a second instance), and leaves it in place on close.
 */
export async function startTestServer(
  backend: SqlBackend,
  overrides: Record<string, unknown> = {},
  options: Omit<StartOptions, 'inMemory'> = {},
): Promise<TestServer> {
  const database: TestDatabase | undefined =
    backend.name === 'postgres' && !overrides.databaseUrl ? await backend.create() : undefined;
  const config = loadConfig(
    { NODE_ENV: 'test' },
    {
      port: 0,
      host: '127.0.0.1',
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      keyEncryptionKey: randomBytes(32).toString('base64'),
      cookieSecrets: [randomBytes(32).toString('base64url')],
      ...(database?.url ? { databaseUrl: database.url } : {}),
      ...overrides,
    },
  );
  const portcullis = await startPortcullis(config, {
    ...options,
    inMemory: backend.name === 'embedded',
  });
  const accounts = createAccountsService(portcullis.database.db);
  const clients = createClientsService(portcullis.database.db);
  let users = 0;
  return {
    portcullis,
    issuer: portcullis.issuer,
    config,
    accounts,
    clients,
    async createUser(input = {}) {
      users += 1;
      const email = input.email ?? `user${users}-${randomBytes(3).toString('hex')}@example.com`;
      const password = input.password ?? 'correct horse battery staple';
      const account = await accounts.create({
        email,
        password,
        name: input.name ?? `User ${users}`,
      });
      return { id: account.id, email, password };
    },
    async createClient(input = {}) {
      const { client, clientSecret } = await clients.create({
        name: 'Test App',
        redirectUris: ['http://localhost:8080/cb'],
        ...input,
      });
      return clientSecret
        ? { clientId: client.client_id, clientSecret }
        : { clientId: client.client_id };
    },
    async close() {
      await portcullis.close();
      await database?.drop();
    },
  };
}
