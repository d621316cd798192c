import { PortcullisError } from '../shared/errors.ts';

/**
 * A command line the CLI cannot run: it exits 2 and prints its message, then `usage`, the help
 * of what was typed (a command's, a group's, or the overview), on stderr (see exit-status.ts).
 */
export class UsageError extends PortcullisError {
  readonly usage: string;

  constructor(message: string, usage: string) {
    super('usage', message, 400);
    this.usage = usage;
  }
}
