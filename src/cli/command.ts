import type { Config } from '../config/schema.ts';
import type { CliContext } from './context.ts';

/** One option of a command, as it is parsed and as its help describes it. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** A string option given more than once collects every value. */
  multiple?: boolean;
  /** The command refuses to run without it (exit 2). */
  required?: boolean;
  /** What the value is, shown in the help as `--email <email>`. */
  value?: string;
  description: string;
  /**
   * The field of the service's input this option fills (`redirectUris`), when it is not the
   * option's own name: a refusal of that field then names this option (flag-names.ts).
   */
  field?: string;
}

type Options = Record<string, OptionSpec>;

// Distributive over both, so that an option not known in advance may be any of them.
type ValueOfKind<Type, Multiple> = Type extends 'boolean'
  ? boolean
  : Multiple extends true
    ? string[]
    : string;
type ValueOf<S extends OptionSpec> = ValueOfKind<S['type'], S['multiple']>;

/** The parsed options: a required one is always there, the others may be missing. */
export type Values<O extends Options> = {
  [K in keyof O as O[K]['required'] extends true ? K : never]: ValueOf<O[K]>;
} & {
  [K in keyof O as O[K]['required'] extends true ? never : K]?: ValueOf<O[K]>;
};

export interface CommandInput<O extends Options> {
  values: Values<O>;
  /** The command's one argument (its `argument` below), or '' when it declares none. */
  argument: string;
  /** The command's help, for a usage error found while it runs. */
  help: string;
}

interface CommonSpec<O extends Options> {
  /** How it is typed after `portcullis`: `migrate`, `users create`. */
  name: string;
  /** One line, lower case, no full stop: the overview lists it. */
  summary: string;
  /** More for the command's help: what it changes, what it leaves alone. */
  description?: string;
  /** The one argument the command takes, such as a client_id. */
  argument?: { name: string; description: string };
  options: O;
  /** Complete command lines, as an operator would type them. */
  examples: string[];
}

/**
 * A command that works on the storage: the runner loads the configuration, says on stderr which
 * storage it uses, opens it (and Redis when configured) and closes it after `run`. `writes`:
 * the command changes something, so the runner also warns when a server it does not share its
 * storage with answers on the configured port.
 */
interface StorageCommand<O extends Options> extends CommonSpec<O> {
  storage: 'reads' | 'writes';
  run(ctx: CliContext, input: CommandInput<O>): Promise<void>;
}

/** A command that opens its storage itself (`serve`): it gets the configuration only. */
interface ProcessCommand<O extends Options> extends CommonSpec<O> {
  storage: 'own';
  start(config: Config, input: CommandInput<O>): Promise<void>;
}

export type CommandSpec<O extends Options = Options> = StorageCommand<O> | ProcessCommand<O>;

/**
 * Declares a command: its name, options, argument, help and what it runs. Everything else (the
 * parsing, `--help`, unknown options, the overview) follows from this one declaration; a new
 * command is one `defineCommand` added to the list in commands.ts.
 */
export function defineCommand<const O extends Options>(spec: CommandSpec<O>): CommandSpec {
  // The options' precise types serve `run` inside the declaration; the list of every command
  // holds them alike, and parse-command.ts builds exactly the values `run` was typed for.
  return spec as unknown as CommandSpec;
}

/** The `--json` option, for every command that can print one JSON object instead. */
export const jsonOption = {
  type: 'boolean',
  description: 'print exactly one JSON object on stdout instead of text',
} as const;
