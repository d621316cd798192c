import type { Kysely } from 'kysely';
import type { Logger } from '../shared/logger.ts';
import {
  type AuditEventRow,
  type AuditFilter,
  insertAuditEvents,
  listAuditEvents,
  purgeAuditEvents,
} from '../storage/audit.repository.ts';
import { batchPerTurn } from '../storage/batch.ts';
import type { Database } from '../storage/schema.ts';
import type { SecurityEvent } from './security-events.ts';

/** How many events `list` returns unless asked for another number. */
export const DEFAULT_AUDIT_LIST_LIMIT = 100;

/** Rows one insert takes at most (each takes nine parameters; Postgres allows 65,535). */
const ROWS_PER_INSERT = 1000;

/** How long events gather before their insert is sent. */
const GATHER_MS = 50;

/**
 * The audit log: security events recorded without slowing the request that causes them, listed
 * newest first, and purged after the retention period.
 *
 * `record` returns at once. The events of the next 50 ms are written together by one insert
 * (batch.ts): a token request pays no round trip for its audit row, its own statements are not
 * queued behind one (on embedded storage, every statement takes turns on one session), and under
 * load one insert carries the events of many requests. A failed write is logged, never thrown:
 * the request it records has succeeded or failed on its own, and refusing a sign-in because the
 * audit table is unreachable would turn an audit problem into an outage. `settled` waits for the
 * writes under way, so that closing the database (server shutdown, end of a CLI command) loses
 * none.
 */
export function createAuditLog(db: Kysely<Database>, logger: Logger) {
  const pending = new Set<Promise<void>>();
  const write = batchPerTurn<SecurityEvent & { at: Date }, void>(
    async (events) => {
      try {
        await insertAuditEvents(db, events);
      } catch (err) {
        const types = [...new Set(events.map((event) => event.type))];
        logger.error({ err, events: events.length, types }, 'writing audit events failed');
      }
      return events.map(() => undefined);
    },
    (events) => chunks(events, ROWS_PER_INSERT),
    (send) => setTimeout(send, GATHER_MS),
  );

  return {
    record(event: SecurityEvent): void {
      // Stamped now, not when the batch is written: batches may commit out of order (each takes
      // the first free connection), and the time of the event is what the log is read by. A
      // copy, too: batchPerTurn treats one object handed over twice as one item.
      const written = write({ ...event, at: new Date() });
      pending.add(written);
      void written.finally(() => pending.delete(written));
    },

    async settled(): Promise<void> {
      while (pending.size > 0) await Promise.all(pending);
    },

    list(filter: Partial<AuditFilter>): Promise<AuditEventRow[]> {
      return listAuditEvents(db, { limit: DEFAULT_AUDIT_LIST_LIMIT, ...filter });
    },

    /** Deletes the events older than `retentionDays`; returns how many. */
    purge: (retentionDays: number) => purgeAuditEvents(db, retentionDays),
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;

function chunks<Item>(items: Item[], size: number): Item[][] {
  const runs: Item[][] = [];
  for (let start = 0; start < items.length; start += size) {
    runs.push(items.slice(start, start + size));
  }
  return runs;
}
