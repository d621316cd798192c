import { runServer } from '../app/server-process.ts';
import { loadConfig } from '../config/load.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { auditCommand } from './audit.command.ts';
import { clientsCommand } from './clients.command.ts';
import { type IO, openCliContext } from './context.ts';
import { exitStatusOf } from './exit-status.ts';
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
    const { code, stderr } = exitStatusOf(error);
    io.stderr(stderr);
    return code;
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
    audit: (args) => auditCommand(ctx, action, args),
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
    await ctx.close();
  }
}
