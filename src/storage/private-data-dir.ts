import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** The permission bits of group and others: none of them may be set in the data directory. */
const OPEN_TO_OTHERS = 0o077;

/**
 * Makes the embedded data directory private to this user, creating it if need be (0700), and
 * returns whether it was open to others before. The directory holds the whole database (password
 * hashes, every stored row, the WAL), the generated key-encryption key, and the unix socket that
 * the CLI reaches the server's database through without a password: another local user must not
 * even list it.
 *
 * Also sets this process's umask to 077, so that every file Postgres creates inside PGlite from
 * now on (tables, new WAL segments) and the CLI's socket are the user's only. (PGlite itself sets
 * the files of a new database 0666, whatever the umask: database.ts closes them with
 * makeDataDirFilesPrivate once PGlite is ready.) The umask is the process's; a process that
 * opens embedded storage writes nothing that others should read. A worker thread cannot set it;
 * the directory's own mode keeps its files out of reach all the same.
 */
export function makeDataDirPrivate(dataDir: string): boolean {
  if (isMainThread) process.umask(OPEN_TO_OTHERS);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return closeToOthers(dataDir);
}

/**
 * Closes every file and directory under the data directory to others (data written by an earlier
 * version or under a looser umask, the files PGlite unpacks); returns how many were open. Only
 * the process that holds the directory's lock calls it, while its PGlite is idle: nobody creates
 * or removes files meanwhile.
 */
export function makeDataDirFilesPrivate(dataDir: string): number {
  const entries = readdirSync(dataDir, { recursive: true, withFileTypes: true });
  let opened = 0;
  for (const entry of entries) {
    // A symbolic link's own mode means nothing, and chmod would change its target's.
    if (!entry.isSymbolicLink() && closeToOthers(join(entry.parentPath, entry.name))) opened += 1;
  }
  return opened;
}

function closeToOthers(path: string): boolean {
  const { mode } = lstatSync(path);
  if ((mode & OPEN_TO_OTHERS) === 0) return false;
  chmodSync(path, mode & 0o7700);
  return true;
}
