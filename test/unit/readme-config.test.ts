import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  configTable,
  readmeConfigBlock,
  readmePath,
  replaceConfigBlock,
} from '../../scripts/config-table.ts';
import { USAGE } from '../../src/cli/commands.ts';
import { envBindings } from '../../src/config/env.ts';
import { configSchema } from '../../src/config/schema.ts';

interface JsonSchema {
  description?: string;
  properties?: Record<string, JsonSchema>;
}

describe('README configuration table', () => {
  it('agrees with the config schema and config/*.json (run `npm run docs:config` to fix)', () => {
    const readme = readFileSync(readmePath, 'utf8');
    expect(readmeConfigBlock(readme)).toBe(configTable());
  });

  it('has a row for every environment variable the configuration reads', () => {
    const table = configTable();
    const envColumn = table.split('\n').map((line) => line.split('|')[2]?.trim());
    for (const { name } of envBindings) expect(envColumn).toContain(`\`${name}\``);
  });

  it('names each variable in config/env.ts only: no description in the schema repeats it', () => {
    const schema = z.toJSONSchema(configSchema, { io: 'input' }) as JsonSchema;
    for (const { name, path } of envBindings) {
      const property = path.reduce<JsonSchema | undefined>(
        (node, key) => node?.properties?.[key],
        schema,
      );
      expect(property?.description, path.join('.')).toBeTruthy();
      expect(property?.description).not.toContain(name);
    }
  });

  it('lists every environment variable in .env.example, as README says it does', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const listed = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    for (const { name } of envBindings) expect(listed).toContain(name);
  });

  it('shows the CLI usage exactly as `portcullis --help` prints it (src/cli/commands.ts)', () => {
    expect(readFileSync(readmePath, 'utf8')).toContain(`\n${USAGE}\n`);
  });

  it('replaces only the text between the markers', () => {
    const readme = 'intro\n<!-- config-table:start -->\nold\n<!-- config-table:end -->\noutro\n';
    expect(replaceConfigBlock(readme, 'new')).toBe(
      'intro\n<!-- config-table:start -->\nnew\n<!-- config-table:end -->\noutro\n',
    );
  });
});
