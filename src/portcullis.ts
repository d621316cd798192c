import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { AdapterPayload } from 'oidc-provider';
import type { Config } from './config/schema.ts';
import { resolveSecrets } from './config/secrets.ts';
import { createAccountsService } from './domain/accounts.service.ts';
import { decoyHash } from './domain/password.ts';
import { createSigningKeysService } from './domain/signing-keys.service.ts';
import { createHttpApp } from './http/app.ts';
import { createCsrf } from './http/csrf.ts';
import { createLogger, type Logger } from './logger.ts';
import { accountFinder } from './oidc/claims.ts';
import { createProvider } from './oidc/provider.ts';
import { observeProvider } from './oidc/provider-events.ts';
import { createProviderHost } from './oidc/provider-host.ts';
import { createPageRenderer } from './render.ts';
import { createClientCache } from './storage/client-cache.ts';
import { watchClientChanges } from './storage/client-changes.ts';
import { type DatabaseHandle, openDatabase } from './storage/database.ts';
import { migrateToLatest } from './storage/migrate.ts';
import { createOidcAdapterFactory } from './storage/oidc-adapter-factory.ts';
import { purgeExpiredPayloads } from './storage/oidc-sql-adapter.ts';

export interface Portcullis {
  issuer: string;
  server: Server;
  database: DatabaseHandle;
  provider(): Provider;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Embedded storage in memory only, for tests. */
  inMemory?: boolean;
}

/** The composition root: storage, then services, then the provider, then HTTP; once. */
export async function startPortcullis(
  config: Config,
  options: StartOptions = {},
): Promise<Portcullis> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const secrets = resolveSecrets(config, (file) =>
    logger.warn(
      { file },
      'generated secrets into the data directory; set PORTCULLIS_KEY_ENCRYPTION_KEY and PORTCULLIS_COOKIE_SECRETS in production',
    ),
  );
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    inMemory: options.inMemory ?? false,
    share: !config.databaseUrl && !options.inMemory,
  });
  // The port is bound before the app exists (with PORT=0 the issuer depends on it); until the app
  // is ready, requests get a 503 instead of hanging.
  let handle: RequestListener = respondStarting;
  const server = createServer((req, res) => handle(req, res));
  let stopClientChanges = async () => {};
  try {
    if (config.migrateOnStart) await migrateToLatest(database.db);
    const signingKeys = createSigningKeysService(database.db, secrets.keyEncryptionKey);
    await signingKeys.ensureKeys();

    server.listen(config.port, config.host);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const issuer = (config.issuer ?? `http://localhost:${port}`).replace(/\/$/, '');

    // With Postgres, client lookups are cached while the clients table's changes are heard.
    const clientCache = createClientCache<AdapterPayload>();
    if (config.databaseUrl) {
      stopClientChanges = watchClientChanges(config.databaseUrl, clientCache, logger);
    }
    const accounts = createAccountsService(database.db);
    // Computed now so that the first login with an unknown email costs no more than the others.
    await decoyHash();
    const render = createPageRenderer();
    const provider = createProvider({
      issuer,
      config,
      adapter: createOidcAdapterFactory(database.db, clientCache),
      findAccount: accountFinder(accounts),
      signingKeys: await signingKeys.loadPrivateJwks(),
      cookieSecrets: secrets.cookieSecrets,
      render,
    });
    observeProvider(provider, logger);
    const providerHost = createProviderHost(provider);
    const app = createHttpApp({
      issuer,
      trustProxy: config.trustProxy,
      cookieSecrets: secrets.cookieSecrets,
      logger,
      render,
      providerHost,
      interactions: { accounts, csrf: createCsrf(secrets.cookieSecrets) },
      readiness: { database: database.ping },
    });
    handle = app.callback();
    const stopPurge = schedulePurge(database, config.expiredPurgeIntervalSeconds, logger);
    logger.info({ issuer, port, storage: database.kind }, 'portcullis is listening');

    return {
      issuer,
      server,
      database,
      provider: () => providerHost.current,
      async close() {
        stopPurge();
        await stopClientChanges();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await database.close();
      },
    };
  } catch (error) {
    if (server.listening) server.close();
    await stopClientChanges();
    await database.close();
    throw error;
  }
}

function schedulePurge(database: DatabaseHandle, seconds: number, logger: Logger): () => void {
  if (seconds === 0) return () => {};
  const timer = setInterval(() => {
    purgeExpiredPayloads(database.db).then(
      (count) => count && logger.debug({ count }, 'purged expired oidc payloads'),
      (err: unknown) => logger.warn({ err }, 'purging expired oidc payloads failed'),
    );
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

const respondStarting: RequestListener = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end('{"error":"temporarily_unavailable","error_description":"the server is starting"}');
};
