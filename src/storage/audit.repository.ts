import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

/** One row of the audit log as written. */
export interface AuditEvent {
  type: string;
  actor: string;
  /** What the event is about when it is neither an account nor a client: a key id. */
  subject?: string | undefined;
  account?: string | undefined;
  client?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
  data?: Record<string, unknown>;
  /** When it happened; the database's clock when not given. */
  at?: Date | undefined;
}

/** One row of the audit log as read. */
export interface AuditEventRow {
  id: string;
  type: string;
  actor: string;
  subject: string | null;
  account_id: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  data: Record<string, unknown>;
  created_at: Date;
}

export interface AuditFilter {
  since?: Date | undefined;
  /** An exact type (`login.failed`), or a prefix ending in a dot (`login.`). */
  type?: string | undefined;
  account?: string | undefined;
  client?: string | undefined;
  limit: number;
}

/** A user agent is the sender's to choose: kept, but never longer than this. */
const USER_AGENT_MAX = 512;

const rowOf = (event: AuditEvent) => ({
  type: event.type,
  actor: event.actor,
  subject: event.subject ?? null,
  account_id: event.account ?? null,
  client_id: event.client ?? null,
  ip: event.ip ?? null,
  user_agent: event.userAgent?.slice(0, USER_AGENT_MAX) ?? null,
  data: JSON.stringify(event.data ?? {}),
  ...(event.at ? { created_at: event.at } : {}),
});

/** One event, inside the caller's transaction (the key steps are audited in the one making them). */
export async function recordAuditEvent(db: Kysely<Database>, event: AuditEvent): Promise<void> {
  await insertAuditEvents(db, [event]);
}

/** Any number of events in one statement. */
export async function insertAuditEvents(
  db: Kysely<Database>,
  events: readonly AuditEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await db.insertInto('audit_events').values(events.map(rowOf)).execute();
}

/** The events that match, newest first. */
export async function listAuditEvents(
  db: Kysely<Database>,
  filter: AuditFilter,
): Promise<AuditEventRow[]> {
  let query = db.selectFrom('audit_events').selectAll();
  if (filter.since) query = query.where('created_at', '>=', filter.since);
  if (filter.type?.endsWith('.'))
    query = query.where('type', 'like', `${escapeLike(filter.type)}%`);
  else if (filter.type) query = query.where('type', '=', filter.type);
  if (filter.account) query = query.where('account_id', '=', filter.account);
  if (filter.client) query = query.where('client_id', '=', filter.client);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
}

/** Deletes the events older than `days` days (the database's clock); returns how many. */
export async function purgeAuditEvents(db: Kysely<Database>, days: number): Promise<number> {
  const result = await db
    .deleteFrom('audit_events')
    .where('created_at', '<', sql<Date>`now() - make_interval(days => ${days})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);
