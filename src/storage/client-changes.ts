import pg from 'pg';
import type { Logger } from '../shared/logger.ts';

/** Announced by a trigger on `clients` (see the client-changes migration) with the client_id. */
const CLIENT_CHANGES_CHANNEL = 'portcullis_client_changes';

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
 * LISTENs for client changes on a dedicated Postgres connection (a pooled one would lose the
 * subscription when returned). Whoever writes the clients table (this server, the CLI, another
 * instance, an operator with psql) fires the trigger, so no writer can forget to announce. The
 * connection is retried every few seconds while lost; meanwhile `live(false)` has been said.
 */
export function watchClientChanges(
  connectionString: string,
  handlers: ClientChangeHandlers,
  logger: Logger,
): () => Promise<void> {
  let client: pg.Client | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;

  const lost = (next: pg.Client) => {
    if (client !== next) return;
    client = undefined;
    handlers.live(false);
    next.end().catch(() => {});
    if (!stopped) retry = setTimeout(connect, RECONNECT_MS).unref();
  };

  async function connect(): Promise<void> {
    const next = new pg.Client({ connectionString, application_name: APPLICATION_NAME });
    client = next;
    next.on('error', () => lost(next));
    next.on('end', () => lost(next));
    next.on('notification', (message) => handlers.changed(message.payload || undefined));
    try {
      await next.connect();
      await next.query(`LISTEN ${pg.escapeIdentifier(CLIENT_CHANGES_CHANNEL)}`);
      if (!(await triggersInPlace(next))) {
        // Without the migration nothing would ever announce a change: never cache then.
        logger.warn('the clients table announces no changes (migration missing); not caching');
        stopped = true;
        lost(next);
        return;
      }
      if (client === next && !stopped) handlers.live(true);
    } catch (err) {
      logger.warn({ err }, 'cannot listen for client changes; client lookups are not cached');
      lost(next);
    }
  }

  connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const current = client;
    client = undefined;
    handlers.live(false);
    await current?.end().catch(() => {});
  };
}

async function triggersInPlace(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ enabled: number }>(
    `select count(*)::int as enabled from pg_trigger
      where tgrelid = 'clients'::regclass and tgname = any($1) and tgenabled <> 'D'`,
    [TRIGGERS],
  );
  return rows[0]?.enabled === TRIGGERS.length;
}
