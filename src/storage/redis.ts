import { Redis } from 'ioredis';
import { DependencyUnavailableError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { DurationObserver } from './query-timing.ts';

export interface RedisHandle {
  client: Redis;
  /** Prepended to every key Portcullis writes (`portcullis:` by default). */
  prefix: string;
  /** Told how long each command awaited through `guarded` took (the storage-latency metric). */
  onCommand: DurationObserver | undefined;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface RedisOptions {
  url: string;
  prefix: string;
  logger: Logger;
  /** How long `openRedis` waits for the first connection before carrying on without it. */
  startupWaitMs?: number;
  onCommand?: DurationObserver | undefined;
}

/**
 * A Redis client that fails fast instead of waiting: with Redis down, a command is refused at
 * once (no offline queue) or after one short timeout, so the request that needs it answers 503
 * in milliseconds, not after a pile-up of queued commands. The client keeps reconnecting in the
 * background (backoff capped at two seconds), so service resumes by itself when Redis returns.
 */
export async function openRedis(options: RedisOptions): Promise<RedisHandle> {
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    commandTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  const down = reportConnectionState(client, options.logger);
  client.connect().catch(down);
  // A server that starts while Redis is down still starts: /readyz says why it is not ready.
  await readyOrTimeout(client, options.startupWaitMs ?? 5_000);
  return {
    client,
    prefix: options.prefix,
    onCommand: options.onCommand,
    async ping() {
      await guarded(client.ping());
    },
    async close() {
      client.removeAllListeners('close');
      client.disconnect();
    },
  };
}

function readyOrTimeout(client: Redis, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    client.once('ready', done);
  });
}

/**
 * One log line when Redis goes away and one when it is back, not one per reconnect attempt.
 * Returns the reporter of "down", for failures that reach no event (the first connect's).
 */
function reportConnectionState(client: Redis, logger: Logger): (err?: Error) => void {
  let available: boolean | undefined;
  const down = (err?: Error) => {
    if (available === false) return;
    available = false;
    logger.warn({ err }, 'redis is unavailable; requests that need it answer 503');
  };
  client.on('error', down);
  client.on('close', () => down());
  client.on('ready', () => {
    available = true;
    logger.info('redis is available');
  });
  return down;
}

// Replies that mean "not now" rather than "wrong command": the server is loading, read-only
// after a failover, busy with a script, or out of memory.
const TRANSIENT_REPLY = /^(LOADING|READONLY|MASTERDOWN|BUSY|TRYAGAIN|CLUSTERDOWN|OOM)\b/;

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name !== 'ReplyError') return true;
  return TRANSIENT_REPLY.test(error.message);
}

/**
 * Awaits a Redis command; a connection failure becomes a DependencyUnavailableError (503), while
 * an error Redis replied with (a bug of ours) stays what it is. With `observe` (the handle's
 * `onCommand`), the wait is timed: the command was sent just before this call, when its
 * arguments were evaluated. Every command of the oidc-provider models passes here, so this is
 * where their latency is measured, with no closure per command.
 */
export async function guarded<T>(command: Promise<T>, observe?: DurationObserver): Promise<T> {
  const started = observe ? performance.now() : 0;
  try {
    return await command;
  } catch (error) {
    throw isUnavailable(error) ? new DependencyUnavailableError('redis', error) : error;
  } finally {
    observe?.((performance.now() - started) / 1000);
  }
}
