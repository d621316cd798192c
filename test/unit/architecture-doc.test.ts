import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const doc = readFileSync(new URL('../../docs/ARCHITECTURE.md', import.meta.url), 'utf8');
const srcDir = fileURLToPath(new URL('../../src/', import.meta.url));

/** Every file under src/, as `src/<folder>/<name>`. */
const sourceFiles = readdirSync(srcDir, { recursive: true, withFileTypes: true })
  .filter((entry) => entry.isFile())
  .map((entry) => `src/${relative(srcDir, join(entry.parentPath, entry.name))}`);

/** The files the doc's table places, each with the layer heading it is listed under. */
function tableRows(): Array<{ file: string; layer: string }> {
  const rows: Array<{ file: string; layer: string }> = [];
  let layer = '';
  for (const line of doc.split('\n')) {
    const heading = /^\| \*\*(.+?)\*\* \|/.exec(line);
    if (heading?.[1]) layer = heading[1];
    const row = /^\| `(src\/[^`]+)` \|/.exec(line);
    if (row?.[1]) rows.push({ file: row[1], layer });
  }
  return rows;
}

/** The folders each heading of the table stands for. */
const FOLDERS_OF: Record<string, string[]> = {
  'entry points': ['app', 'cli'],
  http: ['http'],
  oidc: ['oidc'],
  domain: ['domain'],
  storage: ['storage'],
  config: ['config'],
  shared: ['shared'],
};

describe('docs/ARCHITECTURE.md', () => {
  it('places every file under src/ in its table, so a newcomer finds where each belongs', () => {
    const placed = new Set(tableRows().map((row) => row.file));
    expect(sourceFiles.length).toBeGreaterThan(0);
    expect(sourceFiles.filter((file) => !placed.has(file))).toEqual([]);
  });

  it('names no file that does not exist, and none twice', () => {
    const files = tableRows().map((row) => row.file);
    expect(files.filter((file) => !sourceFiles.includes(file))).toEqual([]);
    expect(files.filter((file, index) => files.indexOf(file) !== index)).toEqual([]);
  });

  it('lists each file under the heading of its own layer', () => {
    const misplaced = tableRows().filter(
      ({ file, layer }) => !FOLDERS_OF[layer]?.includes(file.split('/')[1] ?? ''),
    );
    expect(misplaced).toEqual([]);
  });
});
