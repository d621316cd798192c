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
