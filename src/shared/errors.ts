/**
 * An error the domain throws on purpose. `code` is stable for callers to switch on; `status` is
 * the HTTP status it maps to; the message is safe to show to the person who caused it.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.status = status;
  }
}

/**
 * A dependency (Redis, Postgres) does not answer. Requests that need it fail closed with a 503
 * and `temporarily_unavailable`, never with a fallback that would weaken a guarantee (a session
 * kept in one process's memory, a deny-list that forgets). `dependency` names it for logs.
 */
export class DependencyUnavailableError extends DomainError {
  readonly dependency: string;

  constructor(dependency: string, cause: unknown) {
    super(
      'temporarily_unavailable',
      'The service is temporarily unavailable. Try again in a moment.',
      503,
    );
    this.name = 'DependencyUnavailableError';
    this.dependency = dependency;
    this.cause = cause;
  }
}
