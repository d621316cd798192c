/**
 * The root of every error Portcullis raises on purpose. `code` is stable for callers to switch
 * on; `status` is the HTTP status it maps to; the message is safe to show to whoever caused it
 * (a person at a page for a 4xx, the operator at a terminal for the rest). Anything else thrown
 * is a bug or a library failing: people see a generic `server_error` (HTTP) or `failed: …` (CLI),
 * and the log gets it whole.
 *
 * One mapping turns these into responses (http/error-handler.ts), one into a message and an exit
 * code (cli/exit-status.ts). Kinds raised in one place live there: ConfigError (config/load.ts),
 * MigrationError (storage/migrate.ts), UsageError (cli/usage.ts).
 */
export class PortcullisError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/**
 * What a service refuses to do: bad input, an unknown id, a conflict (4xx); or stored data it
 * cannot use (5xx, such as keys the key-encryption key does not open).
 */
export class DomainError extends PortcullisError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, status);
  }
}

/**
 * A dependency (Redis, Postgres) does not answer. Requests that need it fail closed with a 503
 * and `temporarily_unavailable`, never with a fallback that would weaken a guarantee (a session
 * kept in one process's memory, a deny-list that forgets). `dependency` names it for logs.
 */
export class DependencyUnavailableError extends PortcullisError {
  readonly dependency: string;

  constructor(dependency: string, cause: unknown) {
    super(
      'temporarily_unavailable',
      'The service is temporarily unavailable. Try again in a moment.',
      503,
      { cause },
    );
    this.dependency = dependency;
  }
}
