import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { AdapterPayload } from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import { resolveSecrets } from '../config/secrets.ts';
import { createAccountsService } from '../domain/accounts.service.ts';
import { createAttemptThrottle, throttlePolicy } from '../domain/attempt-throttle.ts';
import { createCookieKeyRing } from '../domain/cookie-key-ring.ts';
import type { KeyRotationService } from '../domain/key-rotation.service.ts';
import type { KeySet } from '../domain/key-set.service.ts';
import type { KeyWatcher } from '../domain/key-watcher.ts';
import { decoyHash } from '../domain/password.ts';
import { createHttpApp } from '../http/app.ts';
import { createCsrf } from '../http/csrf.ts';
import { providerPages } from '../http/provider-pages.ts';
import { createPageRenderer } from '../http/render.ts';
import { accountFinder } from '../oidc/claims.ts';
import { createProvider } from '../oidc/provider.ts';
import { observeProvider } from '../oidc/provider-events.ts';
import { createProviderHost } from '../oidc/provider-host.ts';
import type { ResourceServerLookup } from '../oidc/resource-indicators.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { attemptCounters, purgeExpiredAttemptCounters } from '../storage/attempt-counters.ts';
import { createClientCache } from '../storage/client-cache.ts';
import { watchClientChanges } from '../storage/client-changes.ts';
import { type DatabaseHandle, openDatabase } from '../storage/database.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { createOidcAdapterFactory } from '../storage/oidc-adapter-factory.ts';
import { batchedPayloadWrites, purgeExpiredPayloads } from '../storage/oidc-payload-writes.ts';
import { openRedis, type RedisHandle } from '../storage/redis.ts';
import { requestScopes } from '../storage/request-scope.ts';
import { purgeExpiredRevocations } from '../storage/revoked-tokens.sql.ts';
import { createRevokedTokens, type RevokedTokens } from '../storage/revoked-tokens.ts';
import { prepareKeys } from './keys-in-force.ts';

export interface Portcullis {
  issuer: string;
  server: Server;
  database: DatabaseHandle;
  /** Set when REDIS_URL is. */
  redis: RedisHandle | undefined;
  revokedTokens: RevokedTokens;
  provider(): Provider;
  keys: {
    /** The key set this instance signs and verifies with right now. */
    current(): KeySet;
    rotation: KeyRotationService;
    watcher: KeyWatcher;
  };
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Embedded storage in memory only, for tests. */
  inMemory?: boolean;
  /** The APIs access tokens may be issued for (resource indicators); none by default. */
  resourceServers?: ResourceServerLookup;
  /** Learn of key changes by polling only, without LISTEN; for tests of the fallback. */
  pollKeysOnly?: boolean;
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
      'generated a key-encryption key into the data directory; set PORTCULLIS_KEY_ENCRYPTION_KEY in production',
    ),
  );
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    inMemory: options.inMemory ?? false,
    share: !config.databaseUrl && !options.inMemory,
    preparedStatements: config.preparedStatements,
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
  let stopKeys = async () => {};
  let stopClientChanges = async () => {};
  try {
    if (config.migrateOnStart) await migrateToLatest(database.db);
    const listen = !options.pollKeysOnly;
    const keys = await prepareKeys({ config, database, secrets, logger, listen });
    stopKeys = keys.stop;

    server.listen(config.port, config.host);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const issuer = (config.issuer ?? `http://localhost:${port}`).replace(/\/$/, '');

    // With Postgres, client lookups are cached while the clients table's changes are heard.
    const clientCache = createClientCache<AdapterPayload>();
    if (config.databaseUrl) {
      stopClientChanges = watchClientChanges(config.databaseUrl, clientCache, logger);
    }
    const accounts = createAccountsService(database.db, redis);
    const counters = attemptCounters(database.db, redis);
    const clientAuthThrottle = createAttemptThrottle(
      counters,
      'client-auth',
      throttlePolicy(config.clientAuthThrottle),
    );
    // Computed now so that the first login with an unknown email costs no more than the others.
    await decoyHash();
    const render = createPageRenderer();
    const cookieKeys = createCookieKeyRing(() => keys.watcher.current.cookieSecrets);
    const adapter = createOidcAdapterFactory({
      db: database.db,
      redis,
      refreshTokenReuseGraceSeconds: config.refreshTokenReuseGraceSeconds,
      clientCache,
    });
    const buildProvider = (keySet: KeySet) => {
      const provider = createProvider({
        issuer,
        config,
        adapter,
        findAccount: accountFinder(accounts),
        signingKeys: keySet.providerJwks,
        cookieKeys,
        pages: providerPages(render),
        clientAuthThrottle,
        resourceServers: options.resourceServers,
      });
      observeProvider(provider, logger);
      return provider;
    };
    const providerHost = createProviderHost(buildProvider(keys.watcher.current));
    const http = createHttpApp({
      issuer,
      trustProxy: config.trustProxy,
      cookieKeys,
      jwks: {
        keys: () => keys.watcher.current.publishedJwks,
        maxAgeSeconds: config.keys.jwksMaxAgeSeconds,
      },
      logger,
      render,
      providerHost,
      requestScope: requestScopes(batchedPayloadWrites(database.db)),
      interactions: {
        accounts,
        loginThrottle: createAttemptThrottle(counters, 'login', {
          ...throttlePolicy(config.loginThrottle),
          freeFailures: 3,
        }),
        csrf: createCsrf(cookieKeys.secrets),
      },
      readiness: { database: database.ping, ...(redis ? { redis: redis.ping } : {}) },
    });
    // A new key set means a rebuilt Provider (requests already in the old one finish there);
    // storage is shared, so sessions, interactions and tokens carry over. The cookie key ring
    // reads the key set in force on every use.
    await keys.start((keySet) => providerHost.replace(buildProvider(keySet)));
    handle = http.listener;
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
      keys: {
        current: () => keys.watcher.current,
        rotation: keys.rotation,
        watcher: keys.watcher,
      },
      async close() {
        stopPurge();
        await stopKeys();
        await stopClientChanges();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await closeStores();
      },
    };
  } catch (error) {
    await stopKeys();
    if (server.listening) server.close();
    await stopClientChanges();
    await closeStores();
    throw error;
  }
}

function schedulePurge(database: DatabaseHandle, seconds: number, logger: Logger): () => void {
  if (seconds === 0) return () => {};
  const timer = setInterval(() => {
    Promise.all([
      purgeExpiredPayloads(database.db),
      purgeExpiredRevocations(database.db),
      purgeExpiredAttemptCounters(database.db),
    ]).then(
      ([payloads, revocations, counters]) =>
        payloads + revocations + counters &&
        logger.debug({ payloads, revocations, counters }, 'purged expired rows'),
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
