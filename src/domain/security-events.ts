/**
 * The security events the audit log records, by name. Each names what happened; the row says
 * who did it (`actor`), to which account and client, from which IP and user agent. Nothing here
 * carries a secret: no password, token, code, cookie or client secret, and no token id either
 * (a token's id is its value). Account ids and client ids are not secrets.
 *
 * Key lifecycle steps (`signing_key.*`, `cookie_key.*`) are audited too, in the transaction that
 * makes them (key-rotation.service.ts), so they are not in this list.
 */
export type SecurityEventType =
  | 'login.succeeded'
  | 'login.failed'
  | 'login.locked_out'
  | 'consent.granted'
  | 'consent.denied'
  | 'consent.withdrawn'
  | 'token.issued'
  | 'token.refreshed'
  | 'token.revoked'
  | 'refresh_token.reuse_detected'
  | 'client_auth.failed'
  | 'client_auth.locked_out'
  | 'logout'
  | 'user.created'
  | 'user.disabled'
  | 'user.enabled'
  | 'user.password_set'
  | 'client.created'
  | 'client.deleted'
  | 'client.secret_rotated';

/**
 * Who acted: the person at the login, consent and logout pages (`user`), an application at the
 * token, introspection and revocation endpoints (`client`), or an operator's command (`cli`).
 */
type SecurityActor = 'user' | 'client' | 'cli';

/** Where a request came from, as the audit log keeps it. */
interface RequestOrigin {
  ip?: string | undefined;
  userAgent?: string | undefined;
}

export interface SecurityEvent extends RequestOrigin {
  type: SecurityEventType;
  actor: SecurityActor;
  account?: string | undefined;
  client?: string | undefined;
  /** Details that are never secrets: a grant type, scope names, a token's kind, a reason. */
  data?: Record<string, string | number | boolean | string[]>;
}

/**
 * Records an event and returns at once: the write is batched and never fails the caller
 * (audit-log.ts). Built once by an entry point and handed to what needs it.
 */
export type RecordSecurityEvent = (event: SecurityEvent) => void;

/** What a domain service that changes accounts or clients audits with, and as whom. */
export interface ChangeAudit {
  record: RecordSecurityEvent;
  actor: SecurityActor;
}

/** The IP (as the proxy setting reads it) and user agent of a Koa request. */
export function originOf(request: { ip: string; get(field: string): string }): RequestOrigin {
  return { ip: request.ip || undefined, userAgent: request.get('user-agent') || undefined };
}
