import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

export interface AuditEvent {
  type: string;
  actor: string;
  subject?: string | undefined;
  data?: Record<string, unknown>;
}

export async function recordAuditEvent(db: Kysely<Database>, event: AuditEvent): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      type: event.type,
      actor: event.actor,
      subject: event.subject ?? null,
      data: JSON.stringify(event.data ?? {}),
    })
    .execute();
}
