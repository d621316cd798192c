import { randomBytes } from 'node:crypto';
import { type Portcullis, type StartOptions, startPortcullis } from '../../src/app/portcullis.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { createAccountsService } from '../../src/domain/accounts.service.ts';
import { createClientsService, type NewClient } from '../../src/domain/clients.service.ts';
import { createTestRedis, type SqlBackend, type TestDatabase, type TestRedis } from './backends.ts';

/** A user made by `createUser`, with the password it signs in with. */
export interface TestUser {
  id: string;
  email: string;
  password: string;
}

/** A client made by `createClient`; no secret for a public client. */
export interface TestClient {
  clientId: string;
  clientSecret?: string;
}

export interface TestServer {
  portcullis: Portcullis;
  issuer: string;
  config: Config;
  accounts: ReturnType<typeof createAccountsService>;
  clients: ReturnType<typeof createClientsService>;
  /** The server's slice of the test Redis, for a backend with Redis. */
  redis: TestRedis | undefined;
  createUser(overrides?: { email?: string; password?: string; name?: string }): Promise<TestUser>;
  createClient(input?: Partial<NewClient>): Promise<TestClient>;
  close(): Promise<void>;
}

/**
 * The whole server on a real port (127.0.0.1, chosen by the OS) with issuer = its real URL, on a
 * fresh database of the given backend (and its own key prefix in Redis, for a backend with
 * Redis). Secrets are random per server. `overrides` are configuration keys, e.g. a `redisUrl`.
 * With a `databaseUrl` override it joins that database instead (a second instance), and leaves
 * it in place on close.
 */
export async function startTestServer(
  backend: SqlBackend,
  overrides: Record<string, unknown> = {},
  options: Omit<StartOptions, 'inMemory'> = {},
): Promise<TestServer> {
  const database: TestDatabase | undefined =
    backend.name === 'embedded' || overrides.databaseUrl ? undefined : await backend.create();
  const redis = backend.redisUrl ? await createTestRedis(backend.redisUrl) : undefined;
  const config = loadConfig(
    { NODE_ENV: 'test' },
    {
      port: 0,
      host: '127.0.0.1',
      logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
      keyEncryptionKey: randomBytes(32).toString('base64'),
      cookieSecrets: [randomBytes(32).toString('base64url')],
      ...(database?.url ? { databaseUrl: database.url } : {}),
      ...(redis ? { redisUrl: redis.url, redisKeyPrefix: redis.prefix } : {}),
      ...overrides,
    },
  );
  const portcullis = await startPortcullis(config, {
    ...options,
    inMemory: backend.name === 'embedded',
  });
  const accounts = createAccountsService(portcullis.database.db, portcullis.redis);
  const clients = createClientsService(portcullis.database.db);
  let users = 0;
  return {
    portcullis,
    issuer: portcullis.issuer,
    config,
    accounts,
    clients,
    redis,
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
      await redis?.drop();
    },
  };
}
