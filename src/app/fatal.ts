import { exitStatusOf } from '../cli/exit-status.ts';

/**
 * How an entry point dies: one clear line on stderr (every bad key for a configuration error),
 * the exit code the CLI gives the same error, and no stack trace.
 */
export function exitWith(error: unknown): never {
  const { code, stderr } = exitStatusOf(error);
  process.stderr.write(stderr);
  process.exit(code);
}
