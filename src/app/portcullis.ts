import type { Server } from 'node:http';
import type Provider from 'oidc-provider';
import type { AdapterPayload } from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import { resolveSecrets, type Secrets } from '../config/secrets.ts';
import { createAccountsService } from '../domain/accounts.service.ts';
import { createAttemptThrottle, throttlePolicy } from '../domain/attempt-throttle.ts';
import { type AuditLog, createAuditLog } from '../domain/audit-log.ts';
import { createCookieKeyRing } from '../domain/cookie-key-ring.ts';
import { kekSecretBox } from '../domain/key-encryption.ts';
import type { KeyRotationService } from '../domain/key-rotation.service.ts';
import type { KeySet } from '../domain/key-set.service.ts';
import type { KeyWatcher } from '../domain/key-watcher.ts';
import { createLoginThrottle } from '../domain/login-throttle.ts';
import { decoyHash } from '../domain/password.ts';
import { createHttpApp } from '../http/app.ts';
import { createCsrf } from '../http/csrf.ts';
import { interactionAudit } from '../http/interaction-audit.ts';
import type { Metrics } from '../http/metrics.ts';
import { providerPages } from '../http/provider-pages.ts';
import { createPageRenderer } from '../http/render.ts';
import { auditProviderEvents } from '../oidc/audit-events.ts';
import { accountFinder } from '../oidc/claims.ts';
import { createProvider } from '../oidc/provider.ts';
import { observeProvider } from '../oidc/provider-events.ts';
import { createProviderHost } from '../oidc/provider-host.ts';
import { measureTokens } from '../oidc/provider-metrics.ts';
import type { ResourceServerLookup } from '../oidc/resource-indicators.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { attemptCounters } from '../storage/attempt-counters.ts';
import { createClientCache } from '../storage/client-cache.ts';
import { watchClientChanges } from '../storage/client-changes.ts';
import type { DatabaseHandle } from '../storage/database.ts';
import { createOidcAdapterFactory } from '../storage/oidc-adapter-factory.ts';
import { batchedPayloadWrites } from '../storage/oidc-payload-writes.ts';
import type { RedisHandle } from '../storage/redis.ts';
import { createRefreshSuccessors } from '../storage/refresh-successors.ts';
import { requestScopes } from '../storage/request-scope.ts';
import { type Cleanups, createCleanups } from './cleanups.ts';
import { type KeysInForce, prepareKeys } from './keys-in-force.ts';
import { bindPort } from './listener.ts';
import { serveMetrics } from './metrics-port.ts';
import { openStores, type Stores, schedulePurge } from './stores.ts';

export interface Portcullis {
  issuer: string;
  server: Server;
  database: DatabaseHandle;
  /** Set when REDIS_URL is. */
  redis: RedisHandle | undefined;
  /** The port /metrics is served on; set when metricsPort is. */
  metricsPort: number | undefined;
  /** The audit log of security events this instance records. */
  audit: AuditLog;
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

/**
 * The composition root: storage, then keys, then the port, then the provider and HTTP; once.
 * Whatever opens pushes its closer on one stack, which a failed start and `close` both unwind.
 */
export async function startPortcullis(
  config: Config,
  options: StartOptions = {},
): Promise<Portcullis> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const cleanups = createCleanups();
  try {
    return await assemble(config, options, logger, cleanups);
  } catch (error) {
    // The failure to start is what the caller must see; one in cleaning up is only logged.
    await cleanups.run().catch((err: unknown) => logger.warn({ err }, 'cleaning up failed'));
    throw error;
  }
}

async function assemble(
  config: Config,
  options: StartOptions,
  logger: Logger,
  cleanups: Cleanups,
): Promise<Portcullis> {
  const secrets = resolveSecrets(config, (file) => warnGeneratedKek(logger, file));
  const { metrics, port: metricsPort } = (await serveMetrics(config, logger, cleanups)) ?? {};
  const stores = await openStores(
    config,
    { inMemory: options.inMemory, logger, metrics },
    cleanups,
  );
  const audit = createAuditLog(stores.database.db, logger);
  // Before the database closes (the stack unwinds last in, first out), the last events are written.
  cleanups.defer(() => audit.settled());
  const listen = !options.pollKeysOnly;
  const keys = await prepareKeys({ config, database: stores.database, secrets, logger, listen });
  cleanups.defer(keys.stop);
  metrics?.watchSigningKeys(() => keys.watcher.current.signing);
  const { server, port, issuer, serve } = await bindPort(config, cleanups, logger);

  const wiring: Wiring = {
    config,
    options,
    logger,
    ...stores,
    audit,
    secrets,
    keys,
    issuer,
    cleanups,
    metrics,
  };
  const providers = await buildProviders(wiring);
  const http = buildHttp(wiring, providers);
  // A new key set means a rebuilt Provider (requests already in the old one finish there);
  // storage is shared, so sessions, interactions and tokens carry over. The cookie key ring
  // reads the key set in force on every use.
  await keys.start((keySet) => providers.host.replace(providers.build(keySet)));
  serve(http.listener);
  cleanups.defer(schedulePurge(stores.database, config, logger));
  const storage = stores.database.kind;
  const redis = stores.redis !== undefined;
  logger.info({ issuer, port, metricsPort, storage, redis }, 'portcullis is listening');

  return {
    issuer,
    server,
    ...stores,
    metricsPort,
    audit,
    provider: () => providers.host.current,
    keys: { current: () => keys.watcher.current, rotation: keys.rotation, watcher: keys.watcher },
    close: () => cleanups.run(),
  };
}

function warnGeneratedKek(logger: Logger, file: string): void {
  logger.warn(
    { file },
    'generated a key-encryption key into the data directory; set PORTCULLIS_KEY_ENCRYPTION_KEY in production',
  );
}

/** What the builders below share: the settings, the open stores, the keys, the issuer. */
interface Wiring extends Stores {
  config: Config;
  options: StartOptions;
  logger: Logger;
  audit: AuditLog;
  secrets: Secrets;
  keys: KeysInForce;
  issuer: string;
  cleanups: Cleanups;
  /** Set when metrics are on (metricsPort); every observer below comes from it. */
  metrics: Metrics | undefined;
}

/** The services oidc-provider needs, and the Provider for a key set, hosted so it can be replaced. */
async function buildProviders(wiring: Wiring) {
  const {
    config,
    options,
    logger,
    database,
    redis,
    audit,
    secrets,
    keys,
    issuer,
    cleanups,
    metrics,
  } = wiring;
  // With Postgres, client lookups are cached while the clients table's changes are heard.
  const clientCache = createClientCache<AdapterPayload>();
  if (config.databaseUrl) {
    cleanups.defer(watchClientChanges(config.databaseUrl, clientCache, logger));
  }
  const accounts = createAccountsService(database.db, redis);
  const counters = attemptCounters(database.db, redis);
  const clientAuthThrottle = createAttemptThrottle(
    counters,
    'client-auth',
    throttlePolicy(config.clientAuthThrottle),
    metrics?.attempts('client-auth'),
  );
  const loginThrottle = createLoginThrottle(
    counters,
    config.loginThrottle,
    metrics?.attempts('login'),
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
    secretBox: kekSecretBox(secrets.keyEncryptionKey),
  });
  const refreshSuccessors = createRefreshSuccessors(
    database.db,
    config.refreshTokenReuseGraceSeconds,
  );
  const build = (keySet: KeySet) => {
    const provider = createProvider({
      issuer,
      config,
      adapter,
      findAccount: accountFinder(accounts),
      signingKeys: keySet.providerJwks,
      cookieKeys,
      pages: providerPages(render, logger),
      clientAuthThrottle,
      refreshSuccessors,
      record: audit.record,
      resourceServers: options.resourceServers,
    });
    observeProvider(provider, logger);
    if (metrics) measureTokens(provider, metrics.tokens);
    auditProviderEvents(provider, audit.record);
    return provider;
  };
  return {
    accounts,
    loginThrottle,
    render,
    cookieKeys,
    build,
    host: createProviderHost(build(keys.watcher.current)),
  };
}

type Providers = Awaited<ReturnType<typeof buildProviders>>;

/** The request listener: our routes and pages, then the hosted Provider. */
function buildHttp(wiring: Wiring, providers: Providers) {
  const { config, logger, database, redis, audit, keys, issuer, metrics } = wiring;
  const { accounts, loginThrottle, render, cookieKeys, host } = providers;
  return createHttpApp({
    issuer,
    trustProxy: config.trustProxy,
    cookieKeys,
    jwks: {
      keys: () => keys.watcher.current.publishedJwks,
      maxAgeSeconds: config.keys.jwksMaxAgeSeconds,
    },
    logger,
    render,
    providerHost: host,
    requestScope: requestScopes(batchedPayloadWrites(database.db)),
    interactions: {
      accounts,
      loginThrottle,
      csrf: createCsrf(cookieKeys.secrets),
      audit: interactionAudit(audit.record, accounts),
    },
    readiness: { database: database.ping, ...(redis ? { redis: redis.ping } : {}) },
    observeRequest: metrics?.observeRequest,
  });
}
