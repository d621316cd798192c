import type { Config } from '../config/schema.ts';
import { resolveSecrets } from '../config/secrets.ts';
import { createAccountsService } from '../domain/accounts.service.ts';
import type { AttemptThrottle } from '../domain/attempt-throttle.ts';
import { type AuditLog, createAuditLog } from '../domain/audit-log.ts';
import { createClientsService } from '../domain/clients.service.ts';
import { createKeyRevocationService } from '../domain/key-revocation.service.ts';
import { createKeyRotationService } from '../domain/key-rotation.service.ts';
import { createLoginThrottle } from '../domain/login-throttle.ts';
import { createLogger } from '../shared/logger.ts';
import { attemptCounters } from '../storage/attempt-counters.ts';
import { type DatabaseHandle, openDatabase } from '../storage/database.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { openRedis, type RedisHandle } from '../storage/redis.ts';

/** What a command works with: the same configuration, storage and services as the server. */
export interface CliContext {
  config: Config;
  database: DatabaseHandle;
  /** Closes what the command opened: the database and, when configured, Redis. */
  close(): Promise<void>;
  accounts: ReturnType<typeof createAccountsService>;
  clients: ReturnType<typeof createClientsService>;
  /** The audit log: what the services above change is recorded there as the CLI's doing. */
  audit: AuditLog;
  /** The sign-in throttle's counters, the server's own (`users unlock`). */
  loginThrottle: AttemptThrottle;
  /** Key services; they need the key-encryption key, which is only resolved when asked for. */
  keys: () => KeyServices;
  stdin: () => Promise<string>;
  print: (human: string, json: object) => void;
  warn: (message: string) => void;
}

export interface KeyServices {
  rotation: ReturnType<typeof createKeyRotationService>;
  revocation: ReturnType<typeof createKeyRevocationService>;
}

export interface IO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: () => Promise<string>;
}

/**
 * Opens the database the way the server does. With embedded storage and a server running, this
 * goes through the server's socket; otherwise the CLI opens the data directory itself.
 */
export async function openCliContext(config: Config, io: IO, json: boolean): Promise<CliContext> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: 2,
    preparedStatements: config.preparedStatements,
  });
  let redis: RedisHandle | undefined;
  const logger = createLogger('warn', process.stderr);
  try {
    if (config.migrateOnStart) await migrateToLatest(database.db);
    // Sessions live in Redis when it is configured: disabling an account must end them there.
    if (config.redisUrl) {
      redis = await openRedis({ url: config.redisUrl, prefix: config.redisKeyPrefix, logger });
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  const warn = (message: string) => io.stderr(`warning: ${message}\n`);
  const audit = createAuditLog(database.db, logger);
  const changes = { record: audit.record, actor: 'cli' as const };
  return {
    config,
    database,
    close: async () => {
      await audit.settled();
      await redis?.close();
      await database.close();
    },
    accounts: createAccountsService(database.db, redis, changes),
    clients: createClientsService(database.db, changes),
    audit,
    loginThrottle: createLoginThrottle(attemptCounters(database.db, redis), config.loginThrottle),
    keys: () => {
      const kek = resolveSecrets(config, (file) =>
        warn(`generated a key-encryption key into ${file}`),
      ).keyEncryptionKey;
      return {
        rotation: createKeyRotationService({ db: database.db, kek, keys: config.keys }),
        revocation: createKeyRevocationService(database.db, kek),
      };
    },
    stdin: io.stdin,
    print: (human, value) => io.stdout(json ? `${JSON.stringify(value)}\n` : `${human}\n`),
    warn,
  };
}
