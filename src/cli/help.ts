import type { CommandSpec, OptionSpec } from './command.ts';

// Every help text is generated from the commands' declarations (commands.ts), so the help, the
// parser and README's usage block (compared by a test) cannot drift apart.

const HELP_OPTION = '-h, --help';
const HELP_DESCRIPTION = 'print this help and exit; nothing is changed';

/** `--email <email>`, `--public`. */
const optionSynopsis = (name: string, option: OptionSpec) =>
  option.type === 'string' ? `--${name} <${option.value ?? name}>` : `--${name}`;

/**
 * The command as typed: `users create --email <email> [options]`, `clients show <client_id>`.
 * The overview leaves `[options]` out: every command has some, if only --help.
 */
function synopsis(spec: CommandSpec, withOptions = true): string {
  const required = Object.entries(spec.options)
    .filter(([, option]) => option.required)
    .map(([name, option]) => optionSynopsis(name, option));
  const argument = spec.argument ? [`<${spec.argument.name}>`] : [];
  const optional = withOptions && Object.values(spec.options).some((option) => !option.required);
  return [spec.name, ...argument, ...required, ...(optional ? ['[options]'] : [])].join(' ');
}

/** Two columns, the second aligned. */
function columns(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length)) + 3;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`.trimEnd());
}

function optionDescription(option: OptionSpec): string {
  const notes = [option.required ? 'required' : '', option.multiple ? 'repeatable' : ''];
  const suffix = notes.filter(Boolean).join(', ');
  return suffix ? `${option.description} (${suffix})` : option.description;
}

/** `portcullis <command> --help`: usage, what it does, its argument and options, an example. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: portcullis ${synopsis(spec)}`, '', `${capitalise(spec.summary)}.`];
  if (spec.description) lines.push('', spec.description);
  if (spec.argument) {
    lines.push(
      '',
      'Argument:',
      ...columns([[`<${spec.argument.name}>`, spec.argument.description]]),
    );
  }
  const options = Object.entries(spec.options).map(([name, option]): [string, string] => [
    optionSynopsis(name, option),
    optionDescription(option),
  ]);
  lines.push('', 'Options:', ...columns([...options, [HELP_OPTION, HELP_DESCRIPTION]]));
  lines.push('', spec.examples.length > 1 ? 'Examples:' : 'Example:');
  lines.push(...spec.examples.map((example) => `  ${example}`));
  return lines.join('\n');
}

/** `portcullis <group> --help`: the commands of one group. */
export function groupHelp(group: string, specs: CommandSpec[]): string {
  return [
    `Usage: portcullis ${group} <command> [options]`,
    '',
    'Commands:',
    ...columns(specs.map((spec) => [synopsis(spec), spec.summary])),
    '',
    `Run \`portcullis ${group} <command> --help\` for a command's options and an example.`,
  ].join('\n');
}

/** `portcullis --help`: every command. */
export function overview(specs: CommandSpec[]): string {
  return [
    'Usage: portcullis <command> [options]',
    '',
    'Commands:',
    ...columns(specs.map((spec) => [synopsis(spec, false), spec.summary])),
    '',
    'Options:',
    ...columns([
      [HELP_OPTION, 'print this usage, or with a command its options and an example'],
      ['--version', 'print the version'],
    ]),
    '',
    "Run `portcullis <command> --help` for a command's options and an example.",
    'Every command reads the same configuration as the server (config/*.json and the',
    'environment) and says on stderr which storage it uses. With --json, a command prints',
    'exactly one JSON object on stdout.',
  ].join('\n');
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
