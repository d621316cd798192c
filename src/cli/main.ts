import { text } from 'node:stream/consumers';
import { exitWith } from '../app/fatal.ts';
import { runServer } from '../app/server-process.ts';
import { loadConfig } from '../config/load.ts';
import { DomainError } from '../shared/errors.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { clientsCommand } from './clients.command.ts';
import { type IO, openCliContext } from './context.ts';
import { keysCommand } from './keys.command.ts';
import { USAGE, UsageError } from './usage.ts';
import { usersCommand } from './users.command.ts';

const io: IO = {
  stdout: (value) => process.stdout.write(value),
  stderr: (value) => process.stderr.write(value),
  stdin: () => text(process.stdin),
};

async function run(argv: string[]): Promise<void> {
  const [group, action, ...rest] = argv;
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    io.stdout(`${USAGE}\n`);
    return;
  }
  const config = loadConfig();
  if (group === 'serve') return runServer(config);

  const json = argv.includes('--json');
  const commands: Record<string, (args: string[]) => Promise<void>> = {
    migrate: async () => {
      const applied = await migrateToLatest(ctx.database.db);
      ctx.print(applied.length ? `applied: ${applied.join(', ')}` : 'up to date', { applied });
    },
    users: (args) => usersCommand(ctx, action, args),
    clients: (args) => clientsCommand(ctx, action, args),
    keys: (args) => keysCommand(ctx, action, args),
  };
  const command = commands[group];
  if (!command) throw new UsageError(`unknown command: ${group}`);
  const ctx = await openCliContext(
    { ...config, migrateOnStart: config.migrateOnStart && group !== 'migrate' },
    io,
    json,
  );
  try {
    await command(group === 'migrate' ? [] : rest);
  } finally {
    await ctx.database.close();
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    io.stderr(`portcullis: ${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (
    error instanceof DomainError ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    io.stderr(`portcullis: ${(error as Error).message}\n`);
    process.exit(error instanceof DomainError ? 1 : 2);
  }
  exitWith(error);
});
