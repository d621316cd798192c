import type { Configuration } from 'oidc-provider';

/**
 * Browser apps (SPAs) call the token, userinfo and revocation endpoints cross-origin. A request
 * is allowed from the origins of the client's own registered redirect URIs, nowhere else.
 */
export const clientBasedCORS: NonNullable<Configuration['clientBasedCORS']> = (
  _ctx,
  origin,
  client,
) =>
  client.redirectUris?.some((uri) => {
    try {
      return new URL(uri).origin === origin;
    } catch {
      return false;
    }
  }) ?? false;
