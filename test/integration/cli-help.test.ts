import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, USAGE } from '../../src/cli/commands.ts';
import { commandHelp, groupHelp } from '../../src/cli/help.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { sqlBackends } from '../support/backends.ts';
import { runCliInProcess } from '../support/cli.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'))
  .version as string;
const groups = [
  ...new Set(
    COMMANDS.filter((spec) => spec.name.includes(' ')).map((spec) => spec.name.split(' ')[0]),
  ),
].map(String);
const specsOf = (group: string) => COMMANDS.filter((spec) => spec.name.startsWith(`${group} `));

/** Every way of asking for help, with what it must print on stdout. */
const helpRequests: Array<[string[], string]> = [
  [[], USAGE],
  [['--help'], USAGE],
  [['-h'], USAGE],
  [['help'], USAGE],
  [['--version'], version],
  ...groups.flatMap(
    (group): Array<[string[], string]> => [
      [[group, '--help'], groupHelp(group, specsOf(group))],
      [[group, '-h'], groupHelp(group, specsOf(group))],
    ],
  ),
  ...COMMANDS.flatMap((spec): Array<[string[], string]> => {
    const words = spec.name.split(' ');
    return [
      [[...words, '--help'], commandHelp(spec)],
      [[...words, '-h'], commandHelp(spec)],
      // Help wins over whatever else is on the line, an id or an option it would refuse.
      [[...words, 'some-id', '--json', '--frobnicate', '--help'], commandHelp(spec)],
    ];
  }),
];

/** What a command could change: counts of the tables commands write, and the migrations applied. */
async function snapshot(open: () => ReturnType<typeof openDatabase>) {
  const handle = await open();
  try {
    const count = async (table: string) =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(handle.db))
          .rows[0]?.n,
      );
    const tables = ['accounts', 'clients', 'signing_keys', 'cookie_keys', 'audit_events'];
    const counts = Object.fromEntries(
      await Promise.all(tables.map(async (table) => [table, await count(table)] as const)),
    );
    const migrations = await sql<{
      name: string;
    }>`select name from portcullis_migrations order by name`
      .execute(handle.db)
      .then((result) => result.rows.map((row) => row.name));
    const keyStates = await sql<{
      kid: string;
      state: string;
    }>`select kid, state from signing_keys order by kid`
      .execute(handle.db)
      .then((result) => result.rows);
    return { counts, migrations, keyStates };
  } finally {
    await handle.close();
  }
}

describe('portcullis --help on a data directory that does not exist yet', () => {
  let dir: TempDir;
  beforeAll(() => {
    dir = makeTempDir('portcullis-cli-help-');
  });
  afterAll(() => dir?.remove());

  it('prints every usage, exits 0, and creates nothing: not even the data directory', async () => {
    const dataDir = join(dir.path, 'data');
    for (const [args, expected] of helpRequests) {
      const run = await runCliInProcess(args, { dataDir });
      expect(run, args.join(' ')).toEqual({ code: 0, stdout: `${expected}\n`, stderr: '' });
    }
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe.each(sqlBackends)('portcullis --help and unknown options on $name storage', (backend) => {
  let dir: TempDir;
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  const cli = (args: string[]) => runCliInProcess(args, { dataDir: dir.path, env });
  const state = () =>
    snapshot(() =>
      openDatabase(
        env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, dataDir: '.' } : { dataDir: dir.path },
      ),
    );

  beforeAll(async () => {
    dir = makeTempDir('portcullis-cli-help-');
    env = {};
    drop = async () => {};
    if (backend.name !== 'embedded') {
      const database = await backend.create();
      await database.handle.close();
      env = { DATABASE_URL: String(database.url) };
      drop = database.drop;
    }
    // Something to lose: migrations, a user, a client, and keys with a next key staged.
    for (const args of [
      ['migrate'],
      ['users', 'create', '--email', 'help@example.com'],
      ['clients', 'create', '--name', 'app', '--redirect-uri', 'http://localhost:8080/cb'],
      ['keys', 'rotate'],
    ]) {
      expect((await cli(args)).code, args.join(' ')).toBe(0);
    }
  });
  afterAll(async () => {
    await drop?.();
    dir?.remove();
  });

  it('--help of every command, group and the whole prints its usage, exits 0 and changes nothing', async () => {
    const before = await state();
    expect(before.counts).toMatchObject({ accounts: 1, clients: 1 });
    expect(before.keyStates.length).toBeGreaterThan(0);
    for (const [args, expected] of helpRequests) {
      const run = await cli(args);
      expect(run, args.join(' ')).toEqual({ code: 0, stdout: `${expected}\n`, stderr: '' });
    }
    expect(await state()).toEqual(before);
  });

  it('an unknown option exits 2 with that command’s usage on stderr, and changes nothing', async () => {
    const before = await state();
    for (const spec of COMMANDS) {
      const args = [...spec.name.split(' '), '--frobnicate'];
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain("Unknown option '--frobnicate'");
      expect(run.stderr).toContain(commandHelp(spec));
    }
    expect(await state()).toEqual(before);
  });

  it('an unknown command of a group, or none, exits 2 with the group’s usage', async () => {
    const run = await cli(['users', 'frobnicate']);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toContain('unknown users command: frobnicate');
    expect(run.stderr).toContain(groupHelp('users', specsOf('users')));
    const bare = await cli(['keys']);
    expect(bare).toMatchObject({ code: 2, stdout: '' });
    expect(bare.stderr).toContain('keys needs a command');
    expect(bare.stderr).toContain(groupHelp('keys', specsOf('keys')));
  });
});
