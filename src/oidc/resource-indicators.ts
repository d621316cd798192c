import { type AsymmetricSigningAlgorithm, type Configuration, errors } from 'oidc-provider';
import type { SigningAlgorithm } from '../config/schema.ts';

type ResourceIndicators = NonNullable<NonNullable<Configuration['features']>['resourceIndicators']>;

/** An API that access tokens can be issued for (RFC 8707), as far as signing is concerned. */
export interface ResourceServer {
  scope: string;
  accessTokenFormat: 'jwt' | 'opaque';
  accessTokenTTL?: number;
  audience?: string;
}

export type ResourceServerLookup = (
  indicator: string,
) => ResourceServer | undefined | Promise<ResourceServer | undefined>;

/**
 * Resource indicators, when something tells us which APIs exist. JWT access tokens are signed
 * with the configured signing algorithm (ES256 by default), by whichever key of it is current.
 * Without a lookup the feature stays off and every access token is opaque.
 */
export function resourceIndicators(
  lookup: ResourceServerLookup | undefined,
  signingAlgorithm: SigningAlgorithm,
): ResourceIndicators {
  const alg: AsymmetricSigningAlgorithm = signingAlgorithm;
  if (!lookup) return { enabled: false };
  return {
    enabled: true,
    async getResourceServerInfo(_ctx, indicator) {
      const resourceServer = await lookup(indicator);
      if (!resourceServer) throw new errors.InvalidTarget();
      return { ...resourceServer, jwt: { sign: { alg } } };
    },
  };
}
