import { errors, type KoaContextWithOIDC, type Provider } from 'oidc-provider';

/** What the token endpoint did, as metrics count it. */
export interface TokenObserver {
  /** One token of `kind` issued by a token response of `grantType`. */
  issued(grantType: string, kind: IssuedToken): void;
  /** A rotated refresh token presented again: oidc-provider refused it and revoked its grant. */
  refreshTokenReused(): void;
}

type IssuedToken = (typeof ISSUED_TOKENS)[number];

const ISSUED_TOKENS = ['access_token', 'refresh_token', 'id_token'] as const;

// oidc-provider's refresh_token grant (actions/grants/refresh_token.js) throws exactly this
// detail when the token it was handed is already consumed, after revoking the grant: its reuse
// detection. A race lost inside our adapter reads differently and revokes nothing.
const REUSE_DETAIL = 'refresh token already used';

/**
 * Counts what the token endpoint issues and the refresh-token reuse it detects, from
 * oidc-provider's events (grant.success after a token response is built, grant.error after a
 * refusal). A grant type in a success is one the provider has registered, so the label stays a
 * short, fixed list.
 */
export function measureTokens(provider: Provider, observer: TokenObserver): void {
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
    const grantType = String(ctx.oidc.params?.grant_type);
    const body = ctx.body as Record<string, unknown> | undefined;
    for (const kind of ISSUED_TOKENS) {
      if (typeof body?.[kind] === 'string') observer.issued(grantType, kind);
    }
  });
  provider.on('grant.error', (_ctx, error) => {
    if (error instanceof errors.InvalidGrant && error.error_detail === REUSE_DETAIL) {
      observer.refreshTokenReused();
    }
  });
}
