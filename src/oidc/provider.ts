import Provider, { type AdapterFactory, type Configuration, type FindAccount } from 'oidc-provider';
import type { Config } from '../config/schema.ts';
import type { AttemptThrottle } from '../domain/attempt-throttle.ts';
import type { CookieKeyRing } from '../domain/cookie-key-ring.ts';
import type { KeySet } from '../domain/key-set.service.ts';
import type { RefreshSuccessors } from '../storage/refresh-successors.ts';
import { claimsByScope, SCOPES } from './claims.ts';
import { useHashedClientSecrets } from './client-secrets.ts';
import { clientBasedCORS } from './cors.ts';
import { loadExistingGrant } from './grants.ts';
import { interactionPolicyConfiguration } from './interaction-policy.ts';
import { signingAlgValues } from './jwa.ts';
import { useOneSuccessorPerRefreshToken } from './refresh-rotation.ts';
import { type ResourceServerLookup, resourceIndicators } from './resource-indicators.ts';
import { introspectionAllowed, revocationAllowed } from './token-policies.ts';
import { ttlConfiguration } from './ttl.ts';
import { failClosedWhenUnavailable } from './unavailable-storage.ts';

type RpInitiatedLogout = NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>;

export interface ProviderPages
  extends Pick<RpInitiatedLogout, 'logoutSource' | 'postLogoutSuccessSource'> {
  renderError: NonNullable<Configuration['renderError']>;
}

export interface ProviderDeps {
  issuer: string;
  config: Config;
  adapter: AdapterFactory;
  findAccount: FindAccount;
  /** Signing keys in force: per algorithm the current key first, the others verify-only. */
  signingKeys: KeySet['providerJwks'];
  /** The cookie keys in force; shared with our Koa app, read on every use. */
  cookieKeys: CookieKeyRing;
  /** The pages oidc-provider shows people (errors, logout); rendered by the HTTP layer. */
  pages: ProviderPages;
  /** Failed client authentications, per client and per IP. */
  clientAuthThrottle: AttemptThrottle;
  /** The one successor of each rotated refresh token, for replays within the grace window. */
  refreshSuccessors: RefreshSuccessors;
  /** The APIs access tokens may be issued for; without it, resource indicators are off. */
  resourceServers?: ResourceServerLookup | undefined;
}

/** Assembles the oidc-provider configuration from the files of this folder, one concern each. */
export function createProvider(deps: ProviderDeps): Provider {
  const { keys } = deps.config;
  const configuration: Configuration = {
    adapter: failClosedWhenUnavailable(deps.adapter),
    findAccount: deps.findAccount,
    claims: claimsByScope,
    scopes: SCOPES,
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: introspectionAllowed },
      revocation: { enabled: true, allowedPolicy: revocationAllowed },
      userinfo: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: deps.pages.logoutSource,
        postLogoutSuccessSource: deps.pages.postLogoutSuccessSource,
      },
      resourceIndicators: resourceIndicators(deps.resourceServers, keys.signingAlgorithm),
      // RFC 9126. A pushed request is bound to its client, used once, and lives
      // ttl.PushedAuthorizationRequest (60 s); its redirect_uri must be registered like any.
      pushedAuthorizationRequests: {
        enabled: true,
        requirePushedAuthorizationRequests: deps.config.requirePushedAuthorizationRequests,
        allowUnregisteredRedirectUris: false,
      },
    },
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    // OpenID Connect Core makes RS256 the default for ID tokens; clients may ask for ES256.
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    },
    enabledJWA: signingAlgValues(keys.algorithms),
    rotateRefreshToken: true,
    // A client must always say where it wants the code sent, and the token request must repeat
    // it (RFC 6749 4.1.3), even when it registered one redirect URI only.
    allowOmittingSingleRegisteredRedirectUri: false,
    // oidc-provider signs with the first key of an algorithm that allows signing; the key set
    // puts the current key first and marks next and retired keys verify-only (key_ops). They
    // stay in the keystore so that tokens they signed, handed back to us (id_token_hint),
    // still verify.
    jwks: { keys: deps.signingKeys },
    cookies: {
      keys: deps.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    ttl: ttlConfiguration(deps.config.ttl),
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
      policy: interactionPolicyConfiguration(deps.config.ttl.session),
    },
    loadExistingGrant,
    clientBasedCORS,
    renderError: deps.pages.renderError,
    extraClientMetadata: {
      properties: [
        'first_party',
        'allowed_origins',
        'refresh_token_ttl',
        'refresh_token_absolute_ttl',
      ],
    },
  };
  const provider = new Provider(deps.issuer, configuration);
  provider.proxy = deps.config.trustProxy;
  useHashedClientSecrets(provider, deps.clientAuthThrottle);
  useOneSuccessorPerRefreshToken(provider, deps.refreshSuccessors);
  return provider;
}
