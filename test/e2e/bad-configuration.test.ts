import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real server process (`node src/app/main.ts`) with only the given environment, and waits for
 * it to exit. A server that starts instead of failing is killed after a while, so the test fails
 * rather than hangs.
 */
function runServer(env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['src/app/main.ts'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

// These never reach storage (the process stops while reading its configuration), so there is no
// backend to vary.
describe('the server process with a bad configuration', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'portcullis-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exits 1 naming every bad key and its environment variable', async () => {
    const result = await runServer({
      PORT: 'notaport',
      PORTCULLIS_ISSUER: 'not-a-url',
      PORTCULLIS_DATA_DIR: dataDir,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('port (PORT)');
    expect(result.stderr).toContain('issuer (PORTCULLIS_ISSUER)');
    expect(result.stderr).not.toMatch(/\bat \S+ \(|node_modules/);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('exits 1 in production without a key-encryption key, naming it, and generates none', async () => {
    const result = await runServer({
      NODE_ENV: 'production',
      PORT: '0',
      PORTCULLIS_DATA_DIR: dataDir,
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORTCULLIS_KEY_ENCRYPTION_KEY');
    expect(result.stderr).not.toMatch(/\bat \S+ \(|node_modules/);
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
