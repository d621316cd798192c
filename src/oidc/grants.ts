import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { originOf, type RecordSecurityEvent } from '../domain/security-events.ts';

/**
 * The default grant lookup, plus one rule: first-party clients (marked so by an operator) never
 * show the consent page. Their grant is created, or topped up with newly requested scopes, here,
 * and the scopes it gains are audited as consent given on the person's behalf (`first_party`).
 */
export function existingGrantLoader(
  record: RecordSecurityEvent,
): NonNullable<Configuration['loadExistingGrant']> {
  return async (ctx: KoaContextWithOIDC) => {
    const { client, session, provider } = ctx.oidc;
    if (!client || !session) return undefined;
    const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
    const existing = grantId ? await provider.Grant.find(grantId) : undefined;
    const accountId = session.accountId;
    if (!isFirstParty(client) || !accountId) return existing;

    const grant = existing ?? new provider.Grant({ clientId: client.clientId, accountId });
    const held = new Set(grant.getOIDCScope().split(' '));
    const requested = [...ctx.oidc.requestParamOIDCScopes];
    grant.addOIDCScope(requested.join(' '));
    await grant.save();
    const added = requested.filter((scope) => !held.has(scope));
    if (added.length > 0) {
      record({
        type: 'consent.granted',
        actor: 'user',
        account: accountId,
        client: client.clientId,
        ...originOf(ctx),
        data: { scopes: added, first_party: true },
      });
    }
    return grant;
  };
}

function isFirstParty(client: { metadata(): Record<string, unknown> }): boolean {
  return client.metadata().first_party === true;
}
