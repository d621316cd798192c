import { ConfigError } from '../config/load.ts';
import { DomainError } from '../shared/errors.ts';

/**
 * How an entry point dies: one clear line on stderr (every bad key for a configuration error),
 * exit code 1, and no stack trace for errors we raised on purpose.
 */
export function exitWith(error: unknown): never {
  if (error instanceof ConfigError || error instanceof DomainError) {
    process.stderr.write(`portcullis: ${error.message}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`portcullis: failed: ${message}\n`);
  }
  process.exit(1);
}
