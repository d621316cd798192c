import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/storage/schema.ts';
import type { TestRedis } from './backends.ts';

/**
 * What someone who reads the storage sees, for tests that look for values that must not be
 * there: every row of every table as Postgres writes a row as text, every Redis key under a test
 * slice with its value, the raw bytes of every file of a data directory.
 */
export async function sqlRowsAsText(db: Kysely<Database>): Promise<string[]> {
  const { rows: tables } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
     where table_schema = current_schema() and table_type = 'BASE TABLE'
  `.execute(db);
  const rows: string[] = [];
  for (const { name } of tables) {
    const { rows: texts } = await sql<{ row: string }>`
      select t::text as row from ${sql.table(name)} t
    `.execute(db);
    rows.push(...texts.map(({ row }) => `${name}: ${row}`));
  }
  return rows;
}

/** Every key of the slice, then its value: a string, a hash's fields and values, a set's members. */
export async function redisEntriesAsText(redis: TestRedis): Promise<string[]> {
  const { client } = redis.handle;
  const entries: string[] = [];
  for (const key of await redis.keys()) {
    const type = await client.type(key);
    const value =
      type === 'string'
        ? [await client.get(key)]
        : type === 'hash'
          ? Object.entries(await client.hgetall(key)).flat()
          : type === 'set'
            ? await client.smembers(key)
            : [`(a ${type}, not read)`];
    entries.push(`${key} ${value.join(' ')}`);
  }
  return entries;
}

export interface FileOnDisk {
  /** Relative to the directory walked. */
  path: string;
  mode: number;
  /** Regular files only. */
  bytes?: Buffer;
}

/** The directory itself (as '.') and everything under it, with modes and the files' bytes. */
export function filesUnder(dir: string): FileOnDisk[] {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  const found: FileOnDisk[] = [{ path: '.', mode: lstatSync(dir).mode }];
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    const file: FileOnDisk = { path: relative(dir, path), mode: lstatSync(path).mode };
    if (entry.isFile()) file.bytes = readFileSync(path);
    found.push(file);
  }
  return found;
}

/** The names of the `values` that occur in any of `texts`. */
export function foundIn(
  texts: Array<string | Buffer>,
  values: Array<{ name: string; value: string }>,
): string[] {
  return values
    .filter(({ value }) => texts.some((text) => text.includes(value)))
    .map(({ name }) => name);
}
