import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';
import type { AccountsService } from '../domain/accounts.service.ts';
import {
  originOf,
  type RecordSecurityEvent,
  type SecurityEvent,
  type SecurityEventType,
} from '../domain/security-events.ts';

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

/**
 * What the login and consent pages record in the audit log. Every event is the person's
 * (`actor: user`), about the client that sent them here and, once known, their account.
 */
export function interactionAudit(record: RecordSecurityEvent, accounts: AccountsService) {
  const eventOf = (ctx: Context, details: Details, type: SecurityEventType): SecurityEvent => ({
    type,
    actor: 'user',
    account: details.session?.accountId,
    client: String(details.params.client_id),
    ...originOf(ctx),
  });

  /**
   * A failed or refused sign-in, with the account of the address typed when there is one. The
   * address itself is not recorded: what people type there is sometimes their password.
   */
  async function attempt(
    ctx: Context,
    details: Details,
    email: string,
    type: 'login.failed' | 'login.locked_out',
    data: Record<string, number> = {},
  ) {
    const known = email ? await accounts.findByEmail(email) : undefined;
    record({ ...eventOf(ctx, details, type), account: known?.id, data });
  }

  return {
    failed: (ctx: Context, details: Details, email: string) =>
      attempt(ctx, details, email, 'login.failed'),

    lockedOut: (ctx: Context, details: Details, email: string, retryAfterSeconds: number) =>
      attempt(ctx, details, email, 'login.locked_out', {
        retry_after_seconds: retryAfterSeconds,
      }),

    signedIn(ctx: Context, details: Details, accountId: string) {
      record({ ...eventOf(ctx, details, 'login.succeeded'), account: accountId });
    },

    consented(ctx: Context, details: Details) {
      record({ ...eventOf(ctx, details, 'consent.granted'), data: grantedScopes(details) });
    },

    /** Only a refusal at the consent page: leaving the login page is no security event. */
    aborted(ctx: Context, details: Details) {
      if (details.prompt.name === 'consent') record(eventOf(ctx, details, 'consent.denied'));
    },
  };
}

export type InteractionAudit = ReturnType<typeof interactionAudit>;

/** What the consent page listed and the person accepted: scope names and API identifiers. */
function grantedScopes(details: Details): Record<string, string[]> {
  const prompt = details.prompt.details;
  const scopes = (prompt.missingOIDCScope as string[] | undefined) ?? [];
  const apis = Object.keys((prompt.missingResourceScopes as object | undefined) ?? {});
  return { scopes, ...(apis.length ? { apis } : {}) };
}
