import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';

/**
 * The default grant lookup, plus one rule: first-party clients (marked so by an operator) never
 * show the consent page. Their grant is created, or topped up with newly requested scopes, here.
 */
export const loadExistingGrant: NonNullable<Configuration['loadExistingGrant']> = async (
  ctx: KoaContextWithOIDC,
) => {
  const { client, session, provider } = ctx.oidc;
  if (!client || !session) return undefined;
  const grantId = ctx.oidc.result?.consent?.grantId || session.grantIdFor(client.clientId);
  const existing = grantId ? await provider.Grant.find(grantId) : undefined;
  if (!isFirstParty(client) || !session.accountId) return existing;

  const grant =
    existing ?? new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
  grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
  await grant.save();
  return grant;
};

function isFirstParty(client: { metadata(): Record<string, unknown> }): boolean {
  return client.metadata().first_party === true;
}
