import { text } from 'node:stream/consumers';
import { runServer } from '../app/server-process.ts';
import { loadConfig } from '../config/load.ts';
import { migrateToLatest } from '../storage/migrate.ts';
import { clientsCommand } from './clients.command.ts';
import { type IO, openCliContext } from './context.ts';
import { exitStatusOf } from './exit-status.ts';
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
  const { code, stderr } = exitStatusOf(error);
  io.stderr(stderr);
  process.exit(code);
});
