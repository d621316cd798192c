import { execFile, execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeVersionProblem } from '../../scripts/check-node.js';
import { makeTempDir } from '../support/temp-dir.ts';

const repoRoot = new URL('../..', import.meta.url);
const run = promisify(execFile);

/** A Node older than 22.18 that a command can be made to run on, and the version it reports. */
interface OldNode {
  name: string;
  version: string;
  /** The node executable. */
  node: string;
  env: Record<string, string>;
}

const temp = makeTempDir('portcullis-old-node-');
const FAKE_VERSION = '20.11.1';

/**
 * This Node, told by a preloaded module that it is 20.11.1: what scripts/check-node.js reads is
 * process.versions.node, so everything after it sees an old Node. It always runs.
 */
function fakedOldNode(): OldNode {
  const preload = join(temp.path, 'old-node.mjs');
  writeFileSync(
    preload,
    `Object.defineProperty(process.versions, 'node', { value: '${FAKE_VERSION}' });\n`,
  );
  return {
    name: `this Node, faking ${FAKE_VERSION}`,
    version: FAKE_VERSION,
    node: process.execPath,
    env: { NODE_OPTIONS: `--import=${pathToFileURL(preload).href}` },
  };
}

/** Debian's own Node (20 on bookworm), first on PATH, where it is installed and is old. */
function systemOldNode(): OldNode[] {
  const node = '/usr/bin/node';
  if (!existsSync(node)) return [];
  const version = execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  if (nodeVersionProblem(version) === undefined) return [];
  const env = { PATH: `${dirname(node)}:${process.env.PATH}` };
  return [{ name: `${node} ${version}`, version, node, env }];
}

const oldNodes = [fakedOldNode(), ...systemOldNode()];

async function runOn(node: OldNode, file: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(file, args, {
      cwd: repoRoot,
      env: { ...process.env, ...node.env, LOG_LEVEL: 'silent', PORTCULLIS_DATA_DIR: temp.path },
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

afterAll(() => temp.remove());

describe.each(oldNodes)('on an old Node ($name)', (node) => {
  const expected = `Portcullis needs Node.js 22.18 or newer; this is Node.js ${node.version}.`;

  it('npm start stops with the version message before any TypeScript is loaded', async () => {
    const result = await runOn(node, 'npm', ['start']);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(expected);
    expect(result.stderr).toContain('nvm install 24');
    expect(result.stderr).not.toContain('ERR_UNKNOWN_FILE_EXTENSION');
    expect(existsSync(join(temp.path, 'pglite'))).toBe(false);
  });

  it('the CLI (bin/portcullis.js) stops with it and runs no command', async () => {
    const result = await runOn(node, node.node, ['bin/portcullis.js', 'users', 'list']);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${nodeVersionProblem(node.version)}\n`);
    expect(existsSync(join(temp.path, 'pglite'))).toBe(false);
  });

  it('npm test stops with it before vitest starts', async () => {
    // Were the check to let it through, this runs one small unit file, not the whole suite.
    const result = await runOn(node, 'npm', ['test', '--', '--project', 'unit', 'node-version']);

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(expected);
    expect(result.stdout).not.toContain('Test Files');
  });
});
