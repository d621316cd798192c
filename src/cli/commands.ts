import { auditCommands } from './audit.command.ts';
import { clientsCommands } from './clients.command.ts';
import type { CommandSpec } from './command.ts';
import { overview } from './help.ts';
import { keysCommands } from './keys.command.ts';
import { migrateCommand } from './migrate.command.ts';
import { serveCommand } from './serve.command.ts';
import { usersCommands } from './users.command.ts';

/**
 * Every command, in the order `portcullis --help` lists them. A command is one declaration
 * (command.ts); adding one to this list is all it takes for the parser, its `--help`, the
 * overview and README's usage block (a test compares) to know it.
 */
export const COMMANDS: readonly CommandSpec[] = [
  serveCommand,
  migrateCommand,
  ...usersCommands,
  ...clientsCommands,
  ...keysCommands,
  ...auditCommands,
];

/** What `portcullis --help` prints. */
export const USAGE = overview([...COMMANDS]);
