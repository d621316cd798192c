import Provider, { type errors, type KoaContextWithOIDC } from 'oidc-provider';
import {
  originOf,
  type RecordSecurityEvent,
  type SecurityEvent,
  type SecurityEventType,
} from '../domain/security-events.ts';

/**
 * What oidc-provider does that the audit log records, heard from its events: tokens issued,
 * refreshed and revoked, refresh-token reuse, failed client authentications and their lockouts,
 * grants revoked (consent withdrawn) and logouts. The listeners only hand events over
 * (`record` returns at once): nothing here waits on storage inside a token request.
 *
 * Only ids, names and kinds are read from the context; never a parameter that holds a value
 * (codes, tokens, secrets, assertions) and never a token's id, which is its value.
 */
export function auditProviderEvents(provider: Provider, record: RecordSecurityEvent): void {
  const eventOf = (ctx: KoaContextWithOIDC, type: SecurityEventType, actor: 'user' | 'client') =>
    ({
      type,
      actor,
      client: ctx.oidc?.client?.clientId,
      account: ctx.oidc?.entities.Grant?.accountId ?? ctx.oidc?.session?.accountId,
      ...originOf(ctx),
    }) satisfies SecurityEvent;

  provider.on('grant.success', (ctx) => {
    const grantType = String(ctx.oidc.params?.grant_type);
    const body = (ctx.body ?? {}) as Record<string, unknown>;
    record({
      ...eventOf(ctx, grantType === 'refresh_token' ? 'token.refreshed' : 'token.issued', 'client'),
      data: {
        grant_type: grantType,
        issued: ['access_token', 'refresh_token', 'id_token'].filter((name) => name in body),
        ...(typeof body.scope === 'string' ? { scope: body.scope } : {}),
      },
    });
  });

  const failedAuthentication = (ctx: KoaContextWithOIDC, err: errors.OIDCProviderError) => {
    const type = clientAuthEvent(err);
    if (type)
      record({ ...eventOf(ctx, type, 'client'), data: { endpoint: String(ctx.oidc?.route) } });
  };
  provider.on('grant.error', (ctx, err) => {
    failedAuthentication(ctx, err);
    // oidc-provider's words for a consumed refresh token presented again (actions/grants/
    // refresh_token.js); it has revoked the grant by now.
    if (err.error_detail === 'refresh token already used') {
      record(eventOf(ctx, 'refresh_token.reuse_detected', 'client'));
    }
  });
  provider.on('introspection.error', failedAuthentication);
  provider.on('revocation.error', failedAuthentication);

  // A revocation request destroys the token it names; the grant behind a refresh token goes too
  // (grant.revoked below).
  const revoked = (kind: string) => (token: { clientId?: string; accountId?: string }) => {
    const ctx = Provider.ctx;
    if (ctx?.oidc.route !== 'revocation') return;
    record({
      ...eventOf(ctx, 'token.revoked', 'client'),
      client: token.clientId,
      account: token.accountId,
      data: { token_type: kind },
    });
  };
  provider.on('access_token.destroyed', revoked('access_token'));
  provider.on('refresh_token.destroyed', revoked('refresh_token'));
  provider.on('client_credentials.destroyed', revoked('client_credentials'));

  provider.on('grant.revoked', (ctx) => {
    const byUser = ctx.oidc.route === 'end_session_confirm';
    record({
      ...eventOf(ctx, 'consent.withdrawn', byUser ? 'user' : 'client'),
      // At logout, the grants of every client of the session end, not only the one asking.
      ...(byUser ? { client: undefined } : {}),
      account: grantAccount(ctx),
      data: { via: ctx.oidc.route },
    });
  });

  provider.on('end_session.success', (ctx) => {
    record(eventOf(ctx, 'logout', 'user'));
  });
}

/**
 * A client that failed to authenticate (`invalid_client`), or one refused because it failed too
 * often (429, client-secrets.ts).
 */
function clientAuthEvent(err: errors.OIDCProviderError): SecurityEventType | undefined {
  if (err.error === 'invalid_client') return 'client_auth.failed';
  if (err.statusCode === 429) return 'client_auth.locked_out';
  return undefined;
}

/** The account whose grant ended: from the token that ended it, or the session logging out. */
function grantAccount(ctx: KoaContextWithOIDC): string | undefined {
  const { entities, session } = ctx.oidc;
  return (
    entities.RefreshToken?.accountId ??
    entities.AccessToken?.accountId ??
    entities.Grant?.accountId ??
    session?.accountId
  );
}
