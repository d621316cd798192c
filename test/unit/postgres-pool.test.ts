import { Writable } from 'node:stream';
import type pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/shared/logger.ts';
import { createPostgresPool } from '../../src/storage/postgres-pool.ts';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: createLogger('info', destination), lines };
}

describe('the Postgres pool', () => {
  it('logs an idle connection that fails, without the connection string or its password', async () => {
    const { logger, lines } = capturingLogger();
    const url = 'postgres://portcullis:pool-password-7f3a@127.0.0.1:1/portcullis';
    // Nothing connects until a query: the error below is the one pg-pool emits for an idle
    // client whose connection Postgres ended.
    const pool = createPostgresPool(url, { max: 1, preparedStatements: false, logger });
    const terminated = new Error('terminating connection due to administrator command');

    pool.emit('error', terminated, {} as pg.PoolClient);

    await vi.waitFor(() => expect(lines).toHaveLength(1));
    expect(lines[0]).toMatchObject({
      level: 40,
      err: { message: terminated.message },
      msg: expect.stringContaining('idle Postgres connection lost'),
    });
    expect(JSON.stringify(lines)).not.toContain('pool-password-7f3a');
    await pool.end();
  });
});
