import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tryLockDataDir } from '../../src/storage/data-dir-lock.ts';
import { openDatabase } from '../../src/storage/database.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

describe('one process opens an embedded data directory', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir('portcullis-lock-');
  });
  afterEach(() => dir.remove());

  it('locks the directory for its own pid and refuses a second holder', () => {
    const lock = tryLockDataDir(dir.path);
    expect(typeof lock).toBe('object');
    expect(tryLockDataDir(dir.path)).toBe(process.pid);
    if (typeof lock === 'object') lock.release();
    expect(existsSync(join(dir.path, 'portcullis.lock'))).toBe(false);
  });

  it('takes over the lock of a process that died', () => {
    writeFileSync(join(dir.path, 'portcullis.lock'), '999999999');
    const lock = tryLockDataDir(dir.path);
    expect(typeof lock).toBe('object');
    if (typeof lock === 'object') lock.release();
  });

  it('lets a second opener in through the first one’s socket, sharing the same data', async () => {
    const server = await openDatabase({ dataDir: dir.path, share: true });
    try {
      await sql`create table shared_probe (value text)`.execute(server.db);
      const cli = await openDatabase({ dataDir: dir.path });
      try {
        expect(cli.kind).toBe('embedded-shared');
        await sql`insert into shared_probe values ('from the cli')`.execute(cli.db);
      } finally {
        await cli.close();
      }
      const { rows } = await sql<{ value: string }>`select value from shared_probe`.execute(
        server.db,
      );
      expect(rows).toEqual([{ value: 'from the cli' }]);
    } finally {
      await server.close();
    }
  });

  it('waits while a live process holds the lock without a socket (a server starting)', async () => {
    const holder = spawn('sleep', ['1.5']);
    writeFileSync(join(dir.path, 'portcullis.lock'), String(holder.pid));
    const started = Date.now();
    const opened = await openDatabase({ dataDir: dir.path });
    try {
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      expect(opened.kind).toBe('embedded');
    } finally {
      await opened.close();
    }
  });
});
