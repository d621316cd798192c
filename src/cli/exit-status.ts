import { PortcullisError } from '../shared/errors.ts';
import { UsageError } from './usage.ts';

export interface ExitStatus {
  /** 2: the command line was wrong; 1: the command failed. */
  code: 1 | 2;
  /** What to write on stderr, ending with a newline. */
  stderr: string;
}

/**
 * The one place where an error ends a command (or the server's start): a usage error exits 2
 * with the usage of what was typed (parse-command.ts turns parseArgs' errors into usage errors);
 * an error of ours exits 1 with its message, which is written for the operator (every bad key of
 * a configuration, say); anything else is a failure we did not foresee and exits 1 with its
 * message only, never a stack trace.
 */
export function exitStatusOf(error: unknown): ExitStatus {
  if (error instanceof UsageError) {
    return { code: 2, stderr: `portcullis: ${error.message}\n\n${error.usage}\n` };
  }
  if (error instanceof PortcullisError) {
    return { code: 1, stderr: `portcullis: ${error.message}\n` };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 1, stderr: `portcullis: failed: ${message}\n` };
}
