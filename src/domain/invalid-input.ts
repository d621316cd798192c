import type { z } from 'zod';
import { DomainError } from '../shared/errors.ts';

/** One thing wrong with an input: the field it is about (`redirectUris`, or '' for the whole). */
export interface InputProblem {
  field: string;
  message: string;
}

/**
 * Input a service refuses, with each problem tied to the field it is about, so that a caller
 * can name the field in its own terms: the CLI names the flag (`--redirect-uri`), not the
 * service's field (`redirectUris.0`). The message names the fields, for every other caller.
 */
export class InvalidInputError extends DomainError {
  readonly problems: InputProblem[];

  constructor(code: string, problems: InputProblem[]) {
    super(code, problems.map(describe).join('; '));
    this.problems = problems;
  }
}

/** The problems zod found, each tied to the top-level field it is in. */
export function invalidInput(code: string, error: z.ZodError): InvalidInputError {
  return new InvalidInputError(
    code,
    error.issues.map((issue) => ({ field: String(issue.path[0] ?? ''), message: issue.message })),
  );
}

const describe = ({ field, message }: InputProblem) => (field ? `${field}: ${message}` : message);
