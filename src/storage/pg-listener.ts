import pg from 'pg';
import type { Logger } from '../shared/logger.ts';
import { loggerOrStderr } from './postgres-pool.ts';

export interface ListenOptions {
  connectionString: string;
  channel: string;
  /** How long to wait before connecting again once the connection is lost or refused. */
  retryMs: number;
  logger: Logger;
  /** How the connection shows in pg_stat_activity. */
  applicationName?: string;
  /** A notification arrived; its payload, if it has one. */
  onNotify: (payload: string | undefined) => void;
  /** True once LISTEN is in place (again), false as soon as the connection is lost. */
  onLive?: (live: boolean) => void;
  /** Asked once LISTEN is in place; false stops listening for good (nothing would be sent). */
  worthListening?: (client: pg.Client) => Promise<boolean>;
}

export interface Listener {
  /** Settles with the first attempt: resolved once LISTEN is in place (or stopped), else rejected. */
  first: Promise<void>;
  stop(): Promise<void>;
}

/**
 * LISTEN on a dedicated connection (a pooled one would lose the subscription when returned).
 * When the connection drops (restart, failover) or a connection attempt fails, it tries again
 * every `retryMs` until stopped, also after a first attempt that failed; callers poll as well, so
 * a gap only delays what they learn. A lost connection is logged once, not once per attempt.
 */
export function keepListening(options: ListenOptions): Listener {
  const { channel, logger } = options;
  let client: pg.Client | undefined;
  let live = false;
  let stopped = false;
  let outage = false;
  let retry: NodeJS.Timeout | undefined;

  const close = (old: pg.Client) =>
    old.end().catch((err: unknown) => logger.debug({ err, channel }, 'closing LISTEN failed'));

  const lost = (next: pg.Client, err?: unknown) => {
    if (client !== next) return;
    if (live && !stopped) logger.warn({ err, channel }, 'LISTEN connection lost; reconnecting');
    client = undefined;
    live = false;
    outage = true;
    options.onLive?.(false);
    close(next);
    if (!stopped) retry = setTimeout(again, options.retryMs).unref();
  };

  async function attempt(): Promise<void> {
    const next = new pg.Client({
      connectionString: options.connectionString,
      application_name: options.applicationName,
    });
    client = next;
    next.on('error', (err) => lost(next, err));
    next.on('end', () => lost(next));
    next.on('notification', (message) => options.onNotify(message.payload || undefined));
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      if (options.worthListening && !(await options.worthListening(next))) {
        stopped = true;
        lost(next);
        return;
      }
    } catch (err) {
      lost(next, err);
      if (!stopped) throw err;
      return;
    }
    if (client !== next || stopped) return;
    if (outage) logger.info({ channel }, 'LISTEN connection is back');
    live = true;
    outage = false;
    options.onLive?.(true);
  }

  const again = () => {
    retry = undefined;
    attempt().catch((err: unknown) => logger.debug({ err, channel }, 'LISTEN not back yet'));
  };

  return {
    first: attempt(),
    async stop() {
      stopped = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      live = false;
      options.onLive?.(false);
      if (current) await close(current);
    },
  };
}

const RECONNECT_MS = 5_000;

/**
 * Calls `onNotify` for every NOTIFY on `channel`, and once more each time LISTEN is in place
 * (changes made while no connection listened were missed: look once). Rejects when the first
 * connection fails, leaving the caller to poll; later losses are reconnected.
 */
export async function listenOnPostgres(
  connectionString: string,
  channel: string,
  onNotify: () => void,
  logger?: Logger,
): Promise<() => Promise<void>> {
  const listener = keepListening({
    connectionString,
    channel,
    retryMs: RECONNECT_MS,
    logger: loggerOrStderr(logger),
    onNotify: () => onNotify(),
    onLive: (live) => {
      if (live) onNotify();
    },
  });
  try {
    await listener.first;
  } catch (error) {
    await listener.stop();
    throw error;
  }
  return listener.stop;
}
