import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json, config/, views/ and public/: the same whether the server runs
 * from src/ (type stripping) or from the compiled dist/src/ (`npm run build`).
 */
const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

export const projectPath = (...segments: string[]) => join(projectRoot, ...segments);

function findProjectRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
