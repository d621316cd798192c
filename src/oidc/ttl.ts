import type { Configuration } from 'oidc-provider';
import type { Config } from '../config/schema.ts';

/** Token and artifact lifetimes, from the `ttl` section of the configuration. */
export function ttlConfiguration(ttl: Config['ttl']): Configuration['ttl'] {
  return {
    AccessToken: ttl.accessToken,
    ClientCredentials: ttl.clientCredentials,
    IdToken: ttl.idToken,
    AuthorizationCode: ttl.authorizationCode,
    RefreshToken: ttl.refreshToken,
    Session: ttl.session,
    Interaction: ttl.interaction,
    Grant: ttl.grant,
  };
}
