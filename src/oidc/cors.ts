import type { Client, Configuration } from 'oidc-provider';

/**
 * Browser apps (SPAs) call the token, userinfo and revocation endpoints cross-origin. A request
 * is allowed from the origins of the client's own registered redirect URIs and from the extra
 * origins registered for it (`clients create --allowed-origin`), nowhere else; never `*`.
 */
export const clientBasedCORS: NonNullable<Configuration['clientBasedCORS']> = (
  _ctx,
  origin,
  client,
) =>
  allowedOrigins(client).includes(origin) ||
  (client.redirectUris ?? []).some((uri) => {
    try {
      return new URL(uri).origin === origin;
    } catch {
      return false;
    }
  });

function allowedOrigins(client: Client): unknown[] {
  const origins = client.metadata().allowed_origins;
  return Array.isArray(origins) ? origins : [];
}
