import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/load.ts';
import { projectPath } from '../shared/paths.ts';
import type { CommandSpec } from './command.ts';
import { COMMANDS, USAGE } from './commands.ts';
import { type IO, openCliContext } from './context.ts';
import { exitStatusOf } from './exit-status.ts';
import { inFlagTerms } from './flag-names.ts';
import { commandHelp, groupHelp } from './help.ts';
import { migrateCommand } from './migrate.command.ts';
import { asksForHelp, parseCommand } from './parse-command.ts';
import { foreignServerWarning, storageLine } from './storage-notice.ts';
import { UsageError } from './usage.ts';

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

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h' || arg === 'help';

/**
 * Help and `--version` load nothing and open nothing; every other command line is parsed in
 * full before the configuration is even read, so a mistyped one changes nothing.
 */
async function run(argv: string[], io: IO, env: NodeJS.ProcessEnv): Promise<void> {
  const [first] = argv;
  if (first === undefined || isHelp(first)) return io.stdout(`${USAGE}\n`);
  if (first === '--version') return io.stdout(`${version()}\n`);
  const found = findCommand(argv);
  if ('help' in found) return io.stdout(`${found.help}\n`);
  const { spec, args } = found;
  if (asksForHelp(args)) return io.stdout(`${commandHelp(spec)}\n`);
  const input = parseCommand(spec, args);

  const config = loadConfig(env);
  io.stderr(`${storageLine(config)}\n`);
  if (spec.storage === 'own') return spec.start(config, input);
  // `migrate` migrates itself; every other command first migrates, as the server would.
  const migrateFirst = config.migrateOnStart && spec !== migrateCommand;
  const json = input.values.json === true;
  const ctx = await openCliContext({ ...config, migrateOnStart: migrateFirst }, io, json);
  try {
    if (spec.storage === 'writes' && ctx.database.kind === 'embedded') {
      const warning = await foreignServerWarning(config);
      if (warning) ctx.warn(warning);
    }
    await spec.run(ctx, input).catch((error: unknown) => {
      throw inFlagTerms(error, spec);
    });
  } finally {
    await ctx.close();
  }
}

/** The command `argv` names, with its arguments; or the help of a group asked for. */
function findCommand(argv: string[]): { spec: CommandSpec; args: string[] } | { help: string } {
  const [first = '', second, ...rest] = argv;
  const single = COMMANDS.find((spec) => spec.name === first);
  if (single) return { spec: single, args: argv.slice(1) };
  const group = COMMANDS.filter((spec) => spec.name.startsWith(`${first} `));
  if (!group.length) {
    const what = first.startsWith('-') ? 'option' : 'command';
    throw new UsageError(`unknown ${what}: ${first}`, USAGE);
  }
  const help = groupHelp(first, group);
  if (isHelp(second)) return { help };
  const spec = group.find((candidate) => candidate.name === `${first} ${second}`);
  if (!spec) {
    throw new UsageError(
      second === undefined ? `${first} needs a command` : `unknown ${first} command: ${second}`,
      help,
    );
  }
  return { spec, args: rest };
}

/** package.json's version, the one `npm` and the image know this build by. */
function version(): string {
  const { version } = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as {
    version: string;
  };
  return version;
}
