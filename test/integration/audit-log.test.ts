import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { schedulePurge } from '../../src/app/stores.ts';
import { type AuditLog, createAuditLog } from '../../src/domain/audit-log.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';
import { statementCounter } from '../support/statement-counter.ts';

/** A logger whose lines are kept, parsed, for the test to read. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe.each(sqlBackends)('the audit log on $name storage', (backend) => {
  let database: TestDatabase;
  let audit: AuditLog;
  let log: ReturnType<typeof capturingLogger>;
  const db = () => database.handle.db;
  const rows = () => db().selectFrom('audit_events').selectAll().orderBy('id').execute();

  beforeAll(async () => {
    database = await backend.create();
  });
  afterAll(() => database?.drop());
  beforeEach(async () => {
    await sql`truncate audit_events`.execute(db());
    log = capturingLogger();
    audit = createAuditLog(db(), log.logger);
  });

  it('returns before writing, then writes the events recorded together in one insert, at the time recorded', async () => {
    const counter = statementCounter();
    audit = createAuditLog(db().withPlugin(counter.plugin), log.logger);

    audit.record({ type: 'login.failed', actor: 'user', client: 'app', ip: '192.0.2.1' });
    audit.record({ type: 'login.succeeded', actor: 'user', account: 'acc-1', client: 'app' });
    const recordedBy = Date.now();
    expect(counter.count()).toBe(0);
    await audit.settled();

    expect(counter.count()).toBe(1);
    expect(await rows()).toMatchObject([
      { type: 'login.failed', actor: 'user', account_id: null, client_id: 'app', ip: '192.0.2.1' },
      { type: 'login.succeeded', actor: 'user', account_id: 'acc-1', client_id: 'app', ip: null },
    ]);
    // Stamped when recorded, not when the batch was written (50 ms later, or more).
    for (const row of await rows())
      expect(row.created_at.getTime()).toBeLessThanOrEqual(recordedBy);
  });

  it('keeps the user agent, cut to 512 characters, and the details as JSON', async () => {
    audit.record({
      type: 'token.issued',
      actor: 'client',
      client: 'app',
      userAgent: 'x'.repeat(600),
      data: { grant_type: 'client_credentials', issued: ['access_token'] },
    });
    await audit.settled();

    const [row] = await rows();
    expect(row?.user_agent).toBe('x'.repeat(512));
    expect(row?.data).toEqual({ grant_type: 'client_credentials', issued: ['access_token'] });
    expect(row?.created_at).toBeInstanceOf(Date);
  });

  it('logs a failed write instead of throwing it, and writes again once the table is back', async () => {
    await sql`alter table audit_events rename to audit_events_away`.execute(db());
    try {
      audit.record({ type: 'logout', actor: 'user', account: 'acc-1' });
      await audit.settled();
    } finally {
      await sql`alter table audit_events_away rename to audit_events`.execute(db());
    }
    expect(log.lines).toEqual([
      expect.objectContaining({ msg: 'writing audit events failed', events: 1, types: ['logout'] }),
    ]);

    audit.record({ type: 'logout', actor: 'user', account: 'acc-2' });
    await audit.settled();
    expect((await rows()).map((row) => row.account_id)).toEqual(['acc-2']);
  });

  describe('listing', () => {
    beforeEach(async () => {
      await db()
        .insertInto('audit_events')
        .values([
          event('login.failed', { account_id: 'acc-1', client_id: 'app-1', hoursAgo: 30 }),
          event('login.succeeded', { account_id: 'acc-1', client_id: 'app-1', hoursAgo: 2 }),
          event('token.issued', { account_id: 'acc-1', client_id: 'app-1', hoursAgo: 1 }),
          event('token.refreshed', { account_id: 'acc-2', client_id: 'app-2', hoursAgo: 0.5 }),
          event('client.created', { client_id: 'app-2', hoursAgo: 0.1 }),
        ])
        .execute();
    });
    const types = async (filter: Parameters<AuditLog['list']>[0]) =>
      (await audit.list(filter)).map((row) => row.type);

    it('lists every event newest first', async () => {
      expect(await types({})).toEqual([
        'client.created',
        'token.refreshed',
        'token.issued',
        'login.succeeded',
        'login.failed',
      ]);
    });

    it('filters by type, exactly or by a prefix ending in a dot', async () => {
      expect(await types({ type: 'token.issued' })).toEqual(['token.issued']);
      expect(await types({ type: 'token.' })).toEqual(['token.refreshed', 'token.issued']);
      expect(await types({ type: 'token' })).toEqual([]);
      expect(await types({ type: '%.' })).toEqual([]);
    });

    it('filters by account, by client, by time, and by all of them at once', async () => {
      expect(await types({ account: 'acc-2' })).toEqual(['token.refreshed']);
      expect(await types({ client: 'app-2' })).toEqual(['client.created', 'token.refreshed']);
      const since = new Date(Date.now() - 24 * 3_600_000);
      expect(await types({ since })).toHaveLength(4);
      expect(await types({ since, account: 'acc-1', client: 'app-1' })).toEqual([
        'token.issued',
        'login.succeeded',
      ]);
    });

    it('returns at most the limit, 100 unless told', async () => {
      expect(await types({ limit: 2 })).toEqual(['client.created', 'token.refreshed']);
      await db()
        .insertInto('audit_events')
        .values(Array.from({ length: 120 }, () => event('logout', { hoursAgo: 5 })))
        .execute();
      expect(await audit.list({})).toHaveLength(100);
    });
  });

  it('purges the events older than the retention, and only those', async () => {
    await db()
      .insertInto('audit_events')
      .values([
        event('login.failed', { hoursAgo: 24 * 91 }),
        event('login.succeeded', { hoursAgo: 24 * 89 }),
        event('logout', { hoursAgo: 0 }),
      ])
      .execute();

    expect(await audit.purge(90)).toBe(1);
    expect((await rows()).map((row) => row.type)).toEqual(['login.succeeded', 'logout']);
  });

  it('is purged by the server’s periodic purge of expired rows, after the configured days', async () => {
    await db()
      .insertInto('audit_events')
      .values([event('login.failed', { hoursAgo: 24 * 8 }), event('logout', { hoursAgo: 24 })])
      .execute();

    const stop = schedulePurge(
      database.handle,
      { expiredPurgeIntervalSeconds: 1, auditRetentionDays: 7 },
      log.logger,
    );
    try {
      await expect
        .poll(async () => (await rows()).map((row) => row.type), { timeout: 5000 })
        .toEqual(['logout']);
    } finally {
      stop();
    }
  });
});

function event(type: string, at: { account_id?: string; client_id?: string; hoursAgo: number }) {
  return {
    type,
    actor: 'user',
    account_id: at.account_id ?? null,
    client_id: at.client_id ?? null,
    data: '{}',
    created_at: new Date(Date.now() - at.hoursAgo * 3_600_000),
  };
}
