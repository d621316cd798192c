import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { FileMigrationProvider, type MigrationResult, Migrator } from 'kysely/migration';
import { envNameFor } from '../config/env.ts';
import { PortcullisError } from '../shared/errors.ts';
import type { Database } from './schema.ts';

const migrationFolder = fileURLToPath(new URL('../../migrations', import.meta.url));
const MIGRATE_ON_START = envNameFor(['migrateOnStart']);
const DATABASE_URL = envNameFor(['databaseUrl']);

export class MigrationError extends PortcullisError {
  constructor(name: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('migration_failed', `migration ${name} failed: ${reason}`, 500, { cause });
  }
}

/**
 * The database is not in a state the server can run on; the message says what to do. Raised at
 * start, before any query that would otherwise fail with a message about a table or a migration.
 */
class DatabaseNotReadyError extends PortcullisError {
  constructor(code: 'database_missing' | 'migrations_pending', message: string, cause?: unknown) {
    super(code, message, 500, { cause });
  }
}

function migrator(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder }),
    migrationTableName: 'portcullis_migrations',
    migrationLockTableName: 'portcullis_migrations_lock',
  });
}

/** Applies every pending migration; returns the names applied now. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  const failed = results?.find((result: MigrationResult) => result.status === 'Error');
  if (error) {
    throw databaseMissing(error) ?? new MigrationError(failed?.migrationName ?? '(unknown)', error);
  }
  return (results ?? []).map((result) => result.migrationName);
}

/**
 * For a process that does not migrate (PORTCULLIS_MIGRATE_ON_START=false): refuses a database
 * that lacks migrations this code needs, saying which command applies them, rather than failing
 * later on a missing table.
 */
export async function assertMigrated(db: Kysely<Database>): Promise<void> {
  const migrations = await migrator(db)
    .getMigrations()
    .catch((error: unknown) => {
      throw databaseMissing(error) ?? error;
    });
  const pending = migrations.filter((migration) => migration.executedAt === undefined);
  if (pending.length === 0) return;
  const what =
    pending.length === migrations.length
      ? 'The database has no Portcullis tables yet'
      : `The database lacks ${pending.length} migration${pending.length === 1 ? '' : 's'} (${pending.map((m) => m.name).join(', ')})`;
  throw new DatabaseNotReadyError(
    'migrations_pending',
    `${what}, and ${MIGRATE_ON_START} is false: run \`portcullis migrate\` ` +
      '(npm run portcullis -- migrate) against the same database, then start again.',
  );
}

/** Postgres' "database … does not exist" (3D000), said as what it is and how to fix it. */
function databaseMissing(error: unknown): DatabaseNotReadyError | undefined {
  if ((error as { code?: unknown } | undefined)?.code !== '3D000') return undefined;
  const name = /database "(.*)" does not exist/.exec((error as Error).message)?.[1];
  return new DatabaseNotReadyError(
    'database_missing',
    `database ${name ? `"${name}"` : `named in ${DATABASE_URL}`} does not exist on that Postgres server: ` +
      `create it (createdb ${name ?? '<name>'}) or correct ${DATABASE_URL}.`,
    error,
  );
}
