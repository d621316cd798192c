import type pg from 'pg';
import type { Logger } from '../shared/logger.ts';
import { keepListening } from './pg-listener.ts';

/** Announced by a trigger on `clients` (see the client-changes migration) with the client_id. */
export const CLIENT_CHANGES_CHANNEL = 'portcullis_client_changes';

/** How the listening connection shows in pg_stat_activity. */
export const APPLICATION_NAME = 'portcullis-client-changes';
const RECONNECT_MS = 2_000;
const TRIGGERS = ['clients_announce_change', 'clients_announce_truncate'];

export interface ClientChangeHandlers {
  /** A client was updated or deleted; undefined: the table was truncated. */
  changed(clientId: string | undefined): void;
  /** True once LISTEN is in place, false as soon as the connection is lost. */
  live(isLive: boolean): void;
}

/**
 * LISTENs for client changes (see keepListening). Whoever writes the clients table (this server,
 * the CLI, another instance, an operator with psql) fires the trigger, so no writer can forget to
 * announce. While the connection is lost, `live(false)` has been said and it is retried every
 * few seconds.
 */
export function watchClientChanges(
  connectionString: string,
  handlers: ClientChangeHandlers,
  logger: Logger,
): () => Promise<void> {
  const listener = keepListening({
    connectionString,
    channel: CLIENT_CHANGES_CHANNEL,
    applicationName: APPLICATION_NAME,
    retryMs: RECONNECT_MS,
    logger,
    onNotify: (clientId) => handlers.changed(clientId),
    onLive: (isLive) => handlers.live(isLive),
    worthListening: async (client) => {
      if (await triggersInPlace(client)) return true;
      // Without the migration nothing would ever announce a change: never cache then.
      logger.warn('the clients table announces no changes (migration missing); not caching');
      return false;
    },
  });
  listener.first.catch((err: unknown) =>
    logger.warn({ err }, 'cannot listen for client changes; client lookups are not cached'),
  );
  return listener.stop;
}

async function triggersInPlace(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ enabled: number }>(
    `select count(*)::int as enabled from pg_trigger
      where tgrelid = 'clients'::regclass and tgname = any($1) and tgenabled <> 'D'`,
    [TRIGGERS],
  );
  return rows[0]?.enabled === TRIGGERS.length;
}
