import { InvalidInputError } from '../domain/invalid-input.ts';
import { DomainError } from '../shared/errors.ts';
import type { CommandSpec } from './command.ts';

/**
 * A service's refusal in the terms of the command line: `--redirect-uri: … must use https`
 * rather than `redirectUris: …`. Each option names the input field it fills (or has its name);
 * a problem with no option of its own keeps the service's words. Other errors pass unchanged.
 */
export function inFlagTerms(error: unknown, spec: CommandSpec): unknown {
  if (!(error instanceof InvalidInputError)) return error;
  const flags = new Map(
    Object.entries(spec.options).map(([name, option]) => [option.field ?? name, `--${name}`]),
  );
  const message = error.problems
    .map(({ field, message }) => {
      const name = flags.get(field) ?? field;
      return name ? `${name}: ${message}` : message;
    })
    .join('; ');
  return new DomainError(error.code, message, error.status);
}
