/**
 * Prints README's configuration table from the zod schema, the environment bindings and
 * config/*.json, so the documentation cannot drift from the code: a unit test compares README's
 * block with `configTable()`, and `npm run docs:config` rewrites the block.
 *
 *   node scripts/config-table.ts           print the table
 *   node scripts/config-table.ts --write   rewrite the block in README.md
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { envNameFor } from '../src/config/env.ts';
import { configSchema } from '../src/config/schema.ts';

export const START_MARKER = '<!-- config-table:start -->';
export const END_MARKER = '<!-- config-table:end -->';

const root = fileURLToPath(new URL('../', import.meta.url));
export const readmePath = resolve(root, 'README.md');

interface JsonSchema {
  type?: string;
  enum?: unknown[];
  format?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

type Tree = Record<string, unknown>;

interface Row {
  key: string;
  env: string | undefined;
  type: string;
  defaultText: string;
  description: string;
}

/** The markdown table: one row per configuration key, nested keys dotted. */
export function configTable(): string {
  const schema = z.toJSONSchema(configSchema, { io: 'input' }) as JsonSchema;
  const defaults = readConfigFile('default.json');
  const overlays = listEnvironmentFiles().map((env) => ({
    env,
    values: readConfigFile(`${env}.json`),
  }));
  const rows = rowsOf(schema, []).map((row) => ({
    ...row,
    defaultText: defaultTextFor(row.key, defaults, overlays),
  }));
  const header = ['Key', 'Environment variable', 'Type', 'Default', 'Description'];
  const body = rows.map((row) => [
    `\`${row.key}\``,
    row.env ? `\`${row.env}\`` : '—',
    row.type,
    row.defaultText,
    escapeCell(row.description),
  ]);
  return alignedTable(header, body);
}

/** Columns padded to a common width, the way Biome formats Markdown tables (README is linted). */
function alignedTable(header: string[], body: string[][]): string {
  const width = (text: string) => [...text].length;
  const widths = header.map((title, column) =>
    Math.max(width(title), ...body.map((cells) => width(cells[column] ?? ''))),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd((widths[column] ?? 0) - width(cell) + cell.length)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** README's text with the block between the markers replaced by `table`. */
export function replaceConfigBlock(readme: string, table: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start === -1 || end < start) {
    throw new Error(`README.md must contain ${START_MARKER} followed by ${END_MARKER}`);
  }
  return `${readme.slice(0, start + START_MARKER.length)}\n${table}\n${readme.slice(end)}`;
}

/** The table currently in README's block (without the markers). */
export function readmeConfigBlock(readme: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start === -1 || end < start) return '';
  return readme.slice(start + START_MARKER.length, end).trim();
}

function rowsOf(schema: JsonSchema, path: string[]): Omit<Row, 'defaultText'>[] {
  return Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
    const keyPath = [...path, name];
    if (property.type === 'object' && property.properties) return rowsOf(property, keyPath);
    return [
      {
        key: keyPath.join('.'),
        env: envNameFor(keyPath),
        type: typeOf(property),
        description: property.description ?? '',
      },
    ];
  });
}

function typeOf(property: JsonSchema): string {
  if (property.enum) return property.enum.map((value) => `\`${String(value)}\``).join(' \\| ');
  if (property.type === 'array') return `list of ${property.items?.type ?? 'value'}s`;
  if (property.format === 'uri') return 'URL';
  return property.type ?? 'value';
}

function defaultTextFor(
  key: string,
  defaults: Tree,
  overlays: { env: string; values: Tree }[],
): string {
  const base = valueAt(defaults, key);
  const notes = overlays
    .map(({ env, values }) => ({ env, value: valueAt(values, key) }))
    .filter(({ value }) => value !== undefined && value !== base)
    .map(({ env, value }) => `${env}: ${code(value)}`);
  const text = base === undefined ? '—' : code(base);
  return notes.length ? `${text} (${notes.join(', ')})` : text;
}

function valueAt(tree: Tree, key: string): unknown {
  let node: unknown = tree;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Tree)[part];
  }
  return node;
}

function code(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

function escapeCell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function readConfigFile(name: string): Tree {
  return JSON.parse(readFileSync(resolve(root, 'config', name), 'utf8')) as Tree;
}

function listEnvironmentFiles(): string[] {
  return readdirSync(resolve(root, 'config'))
    .filter((name) => name.endsWith('.json') && name !== 'default.json')
    .map((name) => name.slice(0, -'.json'.length))
    .sort();
}

const runAsMain =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);

if (runAsMain) {
  const table = configTable();
  if (process.argv.includes('--write')) {
    writeFileSync(readmePath, replaceConfigBlock(readFileSync(readmePath, 'utf8'), table));
    process.stdout.write(`updated the configuration table in ${readmePath}\n`);
  } else {
    process.stdout.write(`${table}\n`);
  }
}
