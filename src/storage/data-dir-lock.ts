import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DataDirLock {
  release(): void;
}

/**
 * Embedded PGlite must be opened by one process at a time. The process that opens it writes its
 * pid into `<dataDir>/portcullis.lock`; the lock of a process that died is taken over.
 * Returns the lock, or the pid of the live process that holds it.
 */
export function tryLockDataDir(dataDir: string): DataDirLock | number {
  const file = join(dataDir, 'portcullis.lock');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return {
        release: () => {
          if (holderOf(file) === process.pid) unlinkSync(file);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = holderOf(file);
      if (holder !== undefined && isAlive(holder)) return holder;
      unlinkSync(file);
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

function holderOf(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
