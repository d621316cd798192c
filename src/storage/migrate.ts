import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { FileMigrationProvider, type MigrationResult, Migrator } from 'kysely/migration';
import { PortcullisError } from '../shared/errors.ts';
import type { Database } from './schema.ts';

const migrationFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

export class MigrationError extends PortcullisError {
  constructor(name: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('migration_failed', `migration ${name} failed: ${reason}`, 500, { cause });
  }
}

/** Applies every pending migration; returns the names applied now. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder }),
    migrationTableName: 'portcullis_migrations',
    migrationLockTableName: 'portcullis_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result: MigrationResult) => result.status === 'Error');
  if (error) throw new MigrationError(failed?.migrationName ?? '(unknown)', error);
  return (results ?? []).map((result) => result.migrationName);
}
