import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const logger = fileURLToPath(new URL('../../src/shared/logger.ts', import.meta.url));

/** Runs `body` in a fresh Node process with `log` = createLogger('info'); returns its output. */
function runWithLogger(body: string) {
  const script = `import { createLogger } from ${JSON.stringify(logger)};
const log = createLogger('info');
${body}`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('logger', () => {
  it('writes every line, even those logged just before process.exit()', () => {
    const result = runWithLogger(`
for (let i = 0; i < 1000; i += 1) log.info({ i }, 'line');
process.exit(0);`);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1000);
    expect(JSON.parse(lines[999] ?? '{}')).toMatchObject({ i: 999, msg: 'line' });
  });

  it('writes the lines logged before an uncaught error ends the process', () => {
    const result = runWithLogger(`
log.error('about to fail');
setImmediate(() => { throw new Error('boom'); });`);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain('about to fail');
  });

  it('writes a line of a quiet process at once, not only when it exits', async () => {
    const script = `import { createLogger } from ${JSON.stringify(logger)};
createLogger('info').info('alone');
setTimeout(() => {}, 10_000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
    try {
      const started = Date.now();
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', resolve);
        child.once('exit', () => reject(new Error('exited before writing')));
      });
      expect(line).toContain('"msg":"alone"');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      child.kill();
    }
  });

  it('redacts credentials wherever they appear in a line', () => {
    const result = runWithLogger(`log.info({ password: 'hunter2', req: { token: 'abc' } }, 'x');`);
    expect(result.stdout).not.toContain('hunter2');
    expect(result.stdout).not.toContain('abc');
    expect(result.stdout).toContain('[redacted]');
  });
});
