import { DEFAULT_AUDIT_LIST_LIMIT } from '../domain/audit-log.ts';
import type { AuditEventRow } from '../storage/audit.repository.ts';
import { defineCommand, jsonOption } from './command.ts';
import { UsageError } from './usage.ts';

const MAX_LIMIT = 10_000;

const view = (event: AuditEventRow) => ({
  id: String(event.id),
  time: event.created_at.toISOString(),
  type: event.type,
  actor: event.actor,
  account_id: event.account_id,
  client_id: event.client_id,
  subject: event.subject,
  ip: event.ip,
  user_agent: event.user_agent,
  data: event.data,
});

const list = defineCommand({
  name: 'audit list',
  summary: 'security events, newest first',
  description:
    'Sign-ins, lockouts, consent, tokens issued, refreshed and revoked, refresh-token reuse,\n' +
    'client-authentication failures, logouts, and user, client and key changes. Never a secret.',
  storage: 'reads',
  options: {
    since: {
      type: 'string',
      value: '24h|7d|ISO-time',
      description: 'only events since then: a duration back from now (30m, 24h, 7d) or a time',
    },
    type: {
      type: 'string',
      value: 'type',
      description:
        'only events of this type (login.failed), or of a prefix ending in a dot (token.)',
    },
    account: { type: 'string', value: 'id', description: "only events about this account's id" },
    client: { type: 'string', value: 'client_id', description: 'only events about this client' },
    limit: {
      type: 'string',
      value: 'n',
      description: `at most this many events (default ${DEFAULT_AUDIT_LIST_LIMIT})`,
    },
    json: jsonOption,
  },
  examples: ['portcullis audit list --since 24h', 'portcullis audit list --type login. --json'],
  async run(ctx, { values, help }) {
    const limit =
      values.limit === undefined ? DEFAULT_AUDIT_LIST_LIMIT : limitOf(values.limit, help);
    const since = values.since === undefined ? undefined : sinceOf(values.since, new Date(), help);
    const events = (
      await ctx.audit.list({
        since,
        type: values.type,
        account: values.account,
        client: values.client,
        limit,
      })
    ).map(view);
    if (events.length === limit) {
      ctx.warn(`showing the newest ${limit} events; narrow the filters or raise --limit for more`);
    }
    ctx.print(events.map(line).join('\n') || 'no audit events', { events });
  },
});

export const auditCommands = [list];

function line(event: ReturnType<typeof view>): string {
  const fields = [
    event.time,
    event.type,
    `actor=${event.actor}`,
    ...(event.account_id ? [`account=${event.account_id}`] : []),
    ...(event.client_id ? [`client=${event.client_id}`] : []),
    ...(event.subject ? [`subject=${event.subject}`] : []),
    ...(event.ip ? [`ip=${event.ip}`] : []),
  ];
  return fields.join('  ');
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--since`: a duration back from now (`30m`, `24h`, `7d`) or an ISO 8601 time
 * (`2026-12-01`, `2026-12-01T08:00:00Z`).
 */
export function sinceOf(text: string, now: Date, help = ''): Date {
  const duration = /^(\d{1,6})([mhd])$/.exec(text.trim());
  if (duration) {
    return new Date(now.getTime() - Number(duration[1]) * (UNIT_MS[duration[2] as string] ?? 0));
  }
  const time = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim())
    ? new Date(text.trim())
    : undefined;
  if (!time || Number.isNaN(time.getTime())) {
    throw new UsageError(
      `--since takes a duration (30m, 24h, 7d) or an ISO time (2026-12-01T08:00:00Z), not ${text}`,
      help,
    );
  }
  return time;
}

function limitOf(text: string, help: string): number {
  const limit = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    throw new UsageError(`--limit takes a number from 1 to ${MAX_LIMIT}, not ${text}`, help);
  }
  return limit;
}
