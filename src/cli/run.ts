import { runServer } from '../app/server-process.ts';
import { ConfigError, loadConfig } from '../config/load.ts';
import { DomainError } from '../shared/errors.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { clientsCommand } from './clients.command.ts';
import { type IO, openCliContext } from './context.ts';
import { keysCommand } from './keys.command.ts';
import { USAGE, UsageError } from './usage.ts';
import { usersCommand } from './users.command.ts';

/**
 * Runs `portcullis <argv>` with the given I/O and environment, and resolves with the exit code.
 * It never exits the process itself, so tests run commands in process against a data directory
 * or database of their own; main.ts hands it the real process. `serve` resolves once the server
 * listens, and the server then runs until a signal ends the process.
 */
export async function runCli(
  argv: string[],
  io: IO,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  try {
    await run(argv, io, env);
    return 0;
  } catch (error) {
    return exitStatus(error, io);
  }
}

async function run(argv: string[], io: IO, env: NodeJS.ProcessEnv): Promise<void> {
  const [group, action, ...rest] = argv;
  if (!group || group === 'help' || group === '--help' || group === '-h') {
    io.stdout(`${USAGE}\n`);
    return;
  }
  const config = loadConfig(env);
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

/**
 * How a failed command ends: one line on stderr (with the usage for a usage error), exit code 2
 * for a command used wrongly, 1 for anything else, and no stack trace for errors raised on purpose.
 */
export function exitStatus(error: unknown, io: IO): number {
  if (error instanceof UsageError) {
    io.stderr(`portcullis: ${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (
    error instanceof DomainError ||
    (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  ) {
    io.stderr(`portcullis: ${(error as Error).message}\n`);
    return error instanceof DomainError ? 1 : 2;
  }
  if (error instanceof ConfigError) {
    io.stderr(`portcullis: ${error.message}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`portcullis: failed: ${message}\n`);
  }
  return 1;
}
