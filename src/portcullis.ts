import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
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
import { type DatabaseHandle, openDatabase } from './storage/database.ts';
import { migrateToLatest } from './storage/migrate.ts';
import { createOidcAdapterFactory } from './storage/oidc-adapter-factory.ts';
import { purgeExpiredPayloads } from './storage/oidc-sql-adapter.ts';
import { openRedis, type RedisHandle } from './storage/redis.ts';
import { purgeExpiredRevocations } from './storage/revoked-tokens.sql.ts';
import { createRevokedTokens, type RevokedTokens } from './storage/revoked-tokens.ts';

export interface Portcullis {
  issuer: string;
  server: Server;
  database: DatabaseHandle;
  /** Set when REDIS_URL is. */
  redis: RedisHandle | undefined;
  revokedTokens: RevokedTokens;
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
  const redis = config.redisUrl
    ? await openRedis({ url: config.redisUrl, prefix: config.redisKeyPrefix, logger })
    : undefined;
  const closeStores = async () => {
    await redis?.close();
    await database.close();
  };
  // The port is bound before the app exists (with PORT=0 the issuer depends on it); until the app
  // is ready, requests get a 503 instead of hanging.
  let handle: RequestListener = respondStarting;
  const server = createServer((req, res) => handle(req, res));
  try {
    if (config.migrateOnStart) await migrateToLatest(database.db);
    const signingKeys = createSigningKeysService(database.db, secrets.keyEncryptionKey);
    await signingKeys.ensureKeys();

    server.listen(config.port, config.host);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const issuer = (config.issuer ?? `http://localhost:${port}`).replace(/\/$/, '');

    const accounts = createAccountsService(database.db);
    // Computed now so that the first login with an unknown email costs no more than the others.
    await decoyHash();
    const render = createPageRenderer();
    const provider = createProvider({
      issuer,
      config,
      adapter: createOidcAdapterFactory({
        db: database.db,
        redis,
        refreshTokenReuseGraceSeconds: config.refreshTokenReuseGraceSeconds,
      }),
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
      readiness: { database: database.ping, ...(redis ? { redis: redis.ping } : {}) },
    });
    handle = app.callback();
    const stopPurge = schedulePurge(database, config.expiredPurgeIntervalSeconds, logger);
    logger.info(
      { issuer, port, storage: database.kind, redis: redis !== undefined },
      'portcullis is listening',
    );

    return {
      issuer,
      server,
      database,
      redis,
      revokedTokens: createRevokedTokens({ db: database.db, redis }),
      provider: () => providerHost.current,
      async close() {
        stopPurge();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await closeStores();
      },
    };
  } catch (error) {
    if (server.listening) server.close();
    await closeStores();
    throw error;
  }
}

function schedulePurge(database: DatabaseHandle, seconds: number, logger: Logger): () => void {
  if (seconds === 0) return () => {};
  const timer = setInterval(() => {
    Promise.all([purgeExpiredPayloads(database.db), purgeExpiredRevocations(database.db)]).then(
      ([payloads, revocations]) =>
        payloads + revocations && logger.debug({ payloads, revocations }, 'purged expired rows'),
      (err: unknown) => logger.warn({ err }, 'purging expired rows failed'),
    );
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

const respondStarting: RequestListener = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end('{"error":"temporarily_unavailable","error_description":"the server is starting"}');
};
