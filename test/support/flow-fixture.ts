import type * as oidc from 'openid-client';
import type { StartOptions } from '../../src/app/portcullis.ts';
import type { NewClient } from '../../src/domain/clients.service.ts';
import type { SqlBackend } from './backends.ts';
import { discover } from './flow.ts';
import { startTestServer, type TestClient, type TestServer, type TestUser } from './server.ts';

/** What an e2e suite of the login flow starts from: a server, a user, and a client that knows it. */
export interface FlowFixture {
  server: TestServer;
  issuer: string;
  user: TestUser;
  client: TestClient;
  /** openid-client configured by discovery for `client`. */
  config: oidc.Configuration;
  close(): Promise<void>;
}

export interface FlowFixtureOptions {
  /** Configuration keys for the server, as startTestServer takes them. */
  overrides?: Record<string, unknown>;
  start?: Omit<StartOptions, 'inMemory'>;
  user?: Parameters<TestServer['createUser']>[0];
  client?: Partial<NewClient>;
}

/**
 * Starts a test server on `backend`, creates a user and a confidential client (the defaults of
 * createUser and createClient unless `options` say otherwise), and discovers the server with
 * openid-client as that client.
 */
export async function startFlowFixture(
  backend: SqlBackend,
  options: FlowFixtureOptions = {},
): Promise<FlowFixture> {
  const server = await startTestServer(backend, options.overrides, options.start);
  try {
    const user = await server.createUser(options.user);
    const client = await server.createClient(options.client);
    const config = await discover(server, client.clientId, client.clientSecret);
    return { server, issuer: server.issuer, user, client, config, close: () => server.close() };
  } catch (error) {
    // The suite never sees a fixture that failed half way, so it could not close this server.
    await server.close();
    throw error;
  }
}
