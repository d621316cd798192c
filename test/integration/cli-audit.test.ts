import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sinceOf } from '../../src/cli/audit.command.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';
import { runCliInProcess } from '../support/cli.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const REDIRECT_URI = 'http://localhost:8080/cb';

interface ListedEvent {
  id: string;
  time: string;
  type: string;
  actor: string;
  account_id: string | null;
  client_id: string | null;
  subject: string | null;
  data: Record<string, unknown>;
}

describe.each(sqlBackends)('portcullis audit on $name storage', (backend) => {
  let dir: TempDir;
  let database: TestDatabase | undefined;
  const cli = (args: string[], stdin?: string) =>
    runCliInProcess(args, {
      dataDir: dir.path,
      ...(stdin === undefined ? {} : { stdin }),
      ...(database?.url ? { env: { DATABASE_URL: database.url } } : {}),
    });
  /** `audit list --json` with more arguments: the events, parsed from the one JSON object. */
  const listed = async (...args: string[]): Promise<ListedEvent[]> => {
    const run = await cli(['audit', 'list', ...args, '--json']);
    expect(run).toMatchObject({ code: 0 });
    return (JSON.parse(run.stdout) as { events: ListedEvent[] }).events;
  };
  const secrets: string[] = [];
  let userId: string;
  let clientId: string;

  beforeAll(async () => {
    dir = makeTempDir('portcullis-audit-');
    if (backend.name !== 'embedded') database = await backend.create();
    const password = 'a long and unusual password';
    secrets.push(password);
    const user = await cli(
      ['users', 'create', '--email', 'audited@example.com', '--password-stdin', '--json'],
      password,
    );
    userId = JSON.parse(user.stdout).id;
    const created = await cli([
      'clients',
      'create',
      '--name',
      'Audited',
      '--redirect-uri',
      REDIRECT_URI,
      '--json',
    ]);
    ({ client_id: clientId } = JSON.parse(created.stdout));
    secrets.push(JSON.parse(created.stdout).client_secret);
    const rotated = await cli(['clients', 'rotate-secret', clientId, '--json']);
    secrets.push(JSON.parse(rotated.stdout).client_secret);
    await cli(['users', 'disable', userId]);
    await cli(['users', 'enable', userId]);
    await cli(['keys', 'rotate']);
    await cli(['clients', 'delete', clientId]);
  }, 300_000);
  afterAll(async () => {
    await database?.drop();
    dir?.remove();
  });

  it('records the changes of users and clients made with the CLI, as the CLI, newest first', async () => {
    const events = await listed('--type', 'user.');
    expect(events.map((event) => [event.type, event.actor, event.account_id])).toEqual([
      ['user.enabled', 'cli', userId],
      ['user.disabled', 'cli', userId],
      ['user.created', 'cli', userId],
    ]);
    const clients = await listed('--client', clientId);
    expect(clients.map((event) => [event.type, event.actor])).toEqual([
      ['client.deleted', 'cli'],
      ['client.secret_rotated', 'cli'],
      ['client.created', 'cli'],
    ]);
    expect(new Date(clients[0]?.time ?? '').getTime()).toBeGreaterThan(Date.now() - 600_000);
  });

  it('records the key rotation the CLI asked for, with the key id as subject', async () => {
    const keys = await listed('--type', 'signing_key.');
    const requested = keys.filter((event) => event.actor === 'cli');
    expect(requested.length).toBeGreaterThan(0);
    expect(requested[0]).toMatchObject({
      subject: expect.any(String),
      data: { family: expect.any(String) },
    });
  });

  it('filters by exact type, account, and time', { timeout: 120_000 }, async () => {
    expect((await listed('--type', 'client.created')).map((event) => event.client_id)).toEqual([
      clientId,
    ]);
    expect(
      new Set((await listed('--account', userId, '--since', '1h')).map((e) => e.type)),
    ).toEqual(new Set(['user.created', 'user.disabled', 'user.enabled']));
    expect(await listed('--since', '2999-01-01T00:00:00Z')).toEqual([]);
  });

  it('limits the list, and says on stderr that there is more', async () => {
    const run = await cli(['audit', 'list', '--limit', '2', '--json']);
    expect(JSON.parse(run.stdout).events).toHaveLength(2);
    expect(run.stderr).toContain('showing the newest 2 events');
  });

  it('prints one line per event without --json', async () => {
    const run = await cli(['audit', 'list', '--account', userId]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  user\\.enabled  actor=cli  account=${userId}$`),
    );
  });

  it('answers a bad --since, --limit or action with the usage and exit code 2', {
    timeout: 120_000,
  }, async () => {
    for (const args of [
      ['audit', 'list', '--since', 'yesterday'],
      ['audit', 'list', '--limit', '0'],
      ['audit', 'show'],
    ]) {
      const run = await cli(args);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('audit list');
      expect(run.stdout).toBe('');
    }
  });

  it('never shows a password or client secret', async () => {
    const run = await cli(['audit', 'list', '--limit', '10000', '--json']);
    expect(secrets.filter(Boolean)).toHaveLength(3);
    for (const secret of secrets) expect(run.stdout).not.toContain(secret);
  });
});

describe('--since', () => {
  const now = new Date('2026-12-02T12:00:00Z');

  it('takes a duration back from now in minutes, hours or days', () => {
    expect(sinceOf('30m', now).toISOString()).toBe('2026-12-02T11:30:00.000Z');
    expect(sinceOf('24h', now).toISOString()).toBe('2026-12-01T12:00:00.000Z');
    expect(sinceOf('7d', now).toISOString()).toBe('2026-11-25T12:00:00.000Z');
  });

  it('takes an ISO date or time', () => {
    expect(sinceOf('2026-12-01', now).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(sinceOf('2026-12-01T08:15:00+01:00', now).toISOString()).toBe(
      '2026-12-01T07:15:00.000Z',
    );
  });

  it('refuses anything else', () => {
    for (const text of ['yesterday', '7', '7w', '-1d', '2026-13-45', '']) {
      expect(() => sinceOf(text, now)).toThrow(/--since/);
    }
  });
});
