import { describe, expect, it } from 'vitest';
import { type CommandSpec, defineCommand, jsonOption } from '../../src/cli/command.ts';
import { COMMANDS, USAGE } from '../../src/cli/commands.ts';
import { inFlagTerms } from '../../src/cli/flag-names.ts';
import { commandHelp } from '../../src/cli/help.ts';
import { asksForHelp, parseCommand } from '../../src/cli/parse-command.ts';
import { storageLine } from '../../src/cli/storage-notice.ts';
import { textTable } from '../../src/cli/text-table.ts';
import { UsageError } from '../../src/cli/usage.ts';
import { loadConfig } from '../../src/config/load.ts';
import { InvalidInputError } from '../../src/domain/invalid-input.ts';
import { DomainError } from '../../src/shared/errors.ts';

const show = defineCommand({
  name: 'things show',
  summary: 'print a thing',
  storage: 'reads',
  argument: { name: 'id', description: 'the thing' },
  options: { json: jsonOption },
  examples: ['portcullis things show 42'],
  run: async () => {},
});

const create = defineCommand({
  name: 'things create',
  summary: 'create a thing',
  storage: 'writes',
  options: {
    name: { type: 'string', required: true, description: 'its name' },
    'redirect-uri': {
      type: 'string',
      multiple: true,
      value: 'uri',
      field: 'redirectUris',
      description: 'where it goes',
    },
    json: jsonOption,
  },
  examples: ['portcullis things create --name a'],
  run: async () => {},
});

/** The usage error `call` throws; fails the test when it throws none. */
function usageErrorOf(call: () => unknown): UsageError {
  try {
    call();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  return expect.fail('no usage error');
}

describe('parsing a command line', () => {
  it('reads options and the one argument, whatever their order', () => {
    expect(parseCommand(show, ['--json', '42'])).toMatchObject({
      values: { json: true },
      argument: '42',
    });
    expect(
      parseCommand(create, ['--redirect-uri', 'https://a/cb', '--name', 'a', '--redirect-uri=b']),
    ).toMatchObject({ values: { name: 'a', 'redirect-uri': ['https://a/cb', 'b'] }, argument: '' });
  });

  it('takes an id beginning with one "-" as the argument, and one beginning with "--" after --', () => {
    for (const args of [
      ['-Zx9-id', '--json'],
      ['--json', '-Zx9-id'],
      ['--', '-Zx9-id'],
    ]) {
      expect(parseCommand(show, args).argument).toBe('-Zx9-id');
    }
    expect(parseCommand(show, ['--', '--Zx9']).argument).toBe('--Zx9');
    // A value that begins with '-' is written --name=-value, as parseArgs' own message says.
    expect(parseCommand(create, ['--name=-dashed']).values).toMatchObject({ name: '-dashed' });
    expect(() => parseCommand(create, ['--name', '-dashed'])).toThrow(/use '--name=-XYZ'/);
  });

  it('refuses an unknown option, a missing value, a missing or extra argument, with the help', () => {
    const cases: Array<[CommandSpec, string[], RegExp]> = [
      [show, ['42', '--frobnicate'], /Unknown option '--frobnicate'/],
      [create, ['--name', 'a', '-x'], /Unknown option '-x'/],
      [create, ['--name'], /argument missing/],
      [create, ['--json'], /things create needs --name/],
      [create, ['--name', 'a', 'stray'], /takes no argument, got: stray/],
      [show, [], /things show needs <id>/],
      [show, ['1', '2'], /takes one <id>, got: 1 2/],
    ];
    for (const [spec, args, message] of cases) {
      const error = usageErrorOf(() => parseCommand(spec, args));
      expect(error.message).toMatch(message);
      expect(error.usage).toBe(commandHelp(spec));
    }
  });

  it('sees --help or -h anywhere before --, and not after it', () => {
    expect(asksForHelp(['abc', '--help'])).toBe(true);
    expect(asksForHelp(['-h', '--frobnicate'])).toBe(true);
    expect(asksForHelp(['--', '--help'])).toBe(false);
    expect(asksForHelp(['--json'])).toBe(false);
  });
});

describe('the help generated from a declaration', () => {
  it('gives the usage line, the argument, every option with its description, and an example', () => {
    const help = commandHelp(create);
    expect(help.split('\n')[0]).toBe('Usage: portcullis things create --name <name> [options]');
    expect(help).toMatch(/--redirect-uri <uri> +where it goes \(repeatable\)/);
    expect(help).toMatch(/--name <name> +its name \(required\)/);
    expect(help).toMatch(/-h, --help +print this help and exit; nothing is changed/);
    expect(help).toMatch(/Example:\n {2}portcullis things create --name a$/);
    expect(commandHelp(show)).toMatch(/^Usage: portcullis things show <id> \[options\]/);
  });

  it('exists for every command: a summary, options described, at least one example', () => {
    for (const spec of COMMANDS) {
      const help = commandHelp(spec);
      expect(help, spec.name).toMatch(new RegExp(`^Usage: portcullis ${spec.name}\\b`));
      for (const [name, option] of Object.entries(spec.options)) {
        expect(option.description, `${spec.name} --${name}`).not.toBe('');
        expect(help).toContain(`--${name}`);
      }
      expect(spec.examples.length, spec.name).toBeGreaterThan(0);
      for (const example of spec.examples) expect(example).toContain(`portcullis ${spec.name}`);
      expect(USAGE).toContain(spec.summary);
    }
  });
});

describe('refusals in the terms of the command line', () => {
  it('names the flag that fills a refused field, not the service field', () => {
    const refused = new InvalidInputError('invalid_client_metadata', [
      { field: 'redirectUris', message: 'http://example.com/cb must use https' },
      { field: 'name', message: 'is required' },
      { field: 'unmapped', message: 'is odd' },
      { field: '', message: 'is wrong as a whole' },
    ]);
    const error = inFlagTerms(refused, create);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).message).toBe(
      '--redirect-uri: http://example.com/cb must use https; --name: is required; ' +
        'unmapped: is odd; is wrong as a whole',
    );
    expect((error as DomainError).code).toBe('invalid_client_metadata');
    const other = new DomainError('client_not_found', 'no client with id x', 404);
    expect(inFlagTerms(other, create)).toBe(other);
  });
});

describe('the list tables', () => {
  it('puts headers over columns as wide as their widest cell', () => {
    expect(
      textTable(
        ['ID', 'EMAIL'],
        [
          ['1', 'a@example.com'],
          ['22', 'b@x'],
        ],
        'none',
      ),
    ).toBe('ID  EMAIL\n1   a@example.com\n22  b@x');
    expect(textTable(['ID'], [], 'no users')).toBe('no users');
  });
});

describe('the storage line', () => {
  const line = (env: Record<string, string>) =>
    storageLine(loadConfig({ NODE_ENV: 'test', ...env }));

  it('names the embedded data directory, absolute', () => {
    expect(line({ PORTCULLIS_DATA_DIR: '/var/lib/portcullis' })).toBe(
      'storage: embedded at /var/lib/portcullis',
    );
  });

  it('names Postgres host, port and database, and Redis, never a password', () => {
    const text = line({
      DATABASE_URL: 'postgres://app:s3cret-pw@db.internal:6543/auth?sslmode=require',
      REDIS_URL: 'redis://:redis-pw@cache.internal:6380/2',
    });
    expect(text).toBe(
      'storage: Postgres at db.internal:6543, database auth; Redis at cache.internal:6380, db 2',
    );
    expect(line({ DATABASE_URL: 'postgres:///auth?host=/run/postgresql' })).toBe(
      'storage: Postgres on the socket in /run/postgresql, database auth',
    );
  });
});
