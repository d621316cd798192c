import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import type { CommandInput, CommandSpec, OptionSpec, Values } from './command.ts';
import { commandHelp } from './help.ts';
import { UsageError } from './usage.ts';

type Options = Record<string, OptionSpec>;

/** Whether the command line asks for help: `-h` or `--help` anywhere before a `--`. */
export function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/**
 * Parses a command's arguments with node:util's parseArgs, strictly: an unknown option, a
 * missing value or a missing required option is a usage error carrying the command's help.
 *
 * One twist: ids (kids, client_ids) are base64url, so one in 64 begins with '-'. When the
 * command takes an argument, a word beginning with a single '-' that is not an option's value is
 * taken as that argument rather than as short options (the CLI has none but -h); an id that
 * begins with '--' must follow '--'.
 */
export function parseCommand(spec: CommandSpec, args: string[]): CommandInput<Options> {
  const usageError = (message: string) => new UsageError(message, commandHelp(spec));
  const dashed = spec.argument ? dashedArguments(spec, args) : new Set<number>();
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: args.filter((_, index) => !dashed.has(index)),
      options: parserOptions(spec),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw usageError(`${spec.name}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const argumentsGiven = [
    ...[...dashed].map((index) => String(args[index])),
    ...parsed.positionals,
  ];
  if (!spec.argument && argumentsGiven.length) {
    throw usageError(`${spec.name} takes no argument, got: ${argumentsGiven.join(' ')}`);
  }
  if (spec.argument && argumentsGiven.length !== 1) {
    throw usageError(
      argumentsGiven.length
        ? `${spec.name} takes one <${spec.argument.name}>, got: ${argumentsGiven.join(' ')}`
        : `${spec.name} needs <${spec.argument.name}>`,
    );
  }
  for (const [name, option] of Object.entries(spec.options)) {
    if (option.required && parsed.values[name] === undefined) {
      throw usageError(`${spec.name} needs --${name}`);
    }
  }
  return {
    values: parsed.values as Values<Options>,
    argument: argumentsGiven[0] ?? '',
    help: commandHelp(spec),
  };
}

function parserOptions(spec: CommandSpec): ParseArgsOptionsConfig {
  const options: ParseArgsOptionsConfig = {};
  for (const [name, option] of Object.entries(spec.options)) {
    options[name] = { type: option.type, ...(option.multiple ? { multiple: true } : {}) };
  }
  return options;
}

/** The indexes of words that begin with a single '-' and are neither an option nor its value. */
function dashedArguments(spec: CommandSpec, args: string[]): Set<number> {
  const dashed = new Set<number>();
  for (let index = 0; index < args.length; index++) {
    const arg = String(args[index]);
    if (arg === '--') break;
    if (arg.startsWith('--')) {
      const name = arg.slice(2);
      if (spec.options[name]?.type === 'string') index++;
    } else if (arg.length > 1 && arg.startsWith('-')) {
      dashed.add(index);
    }
  }
  return dashed;
}
