import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { Attempt, AttemptThrottle } from '../domain/attempt-throttle.ts';
import { clientSecretMatches } from '../domain/client-secret.ts';
import { translated } from './unavailable-storage.ts';

/** A client (or an IP) that used up its failed authentications: 429 with Retry-After. */
class TooManyFailedAuthentications extends errors.OIDCProviderError {
  constructor(seconds: number) {
    super(429, 'temporarily_unavailable');
    this.error_description = `too many failed client authentications; retry after ${seconds} seconds`;
    this.expose = true;
    this.allow_redirect = false;
  }
}

/** The endpoints where oidc-provider authenticates the client (its route names). */
const CLIENT_AUTHENTICATION_ROUTES: ReadonlySet<string> = new Set([
  'token',
  'introspection',
  'revocation',
  'pushed_authorization_request',
]);

/**
 * Client secrets are stored only as hashes, so the provider's plain comparison is replaced by a
 * constant-time comparison of hashes. This is the extension point oidc-provider's author
 * recommends for hashed secrets; it rules out HS* algorithms keyed by the secret, which we
 * disable anyway. It is also where every secret check of the token, introspection and revocation
 * endpoints passes, with either client_secret_basic or client_secret_post.
 *
 * Failures are throttled per client and per IP; only failures touch the counters, so a correct
 * secret costs no storage round trip and still works while its client is locked out (secrets are
 * 256 random bits: the lockout sheds floods, there is nothing to guess). A flood of wrong secrets
 * is answered 429 once the limits are reached, before any further comparison is counted.
 *
 * A client_id that names no client never reaches a secret comparison: oidc-provider answers
 * invalid_client as soon as its lookup finds nothing. Such guesses are counted at that lookup,
 * against the IP alone: a counter per guessed id would let anyone fill the store.
 */
export function useHashedClientSecrets(provider: Provider, throttle: AttemptThrottle): void {
  const failed = translated(async (attempt: Attempt) => {
    const wait = await throttle.retryAfter(attempt);
    if (wait > 0) {
      Provider.ctx?.set('Retry-After', String(wait));
      throw new TooManyFailedAuthentications(wait);
    }
    await throttle.failed(attempt);
  });
  provider.Client.prototype.compareClientSecret = async function compareClientSecret(
    this: { clientId: string; clientSecret?: string },
    actual: string,
  ) {
    if (typeof this.clientSecret === 'string' && clientSecretMatches(this.clientSecret, actual)) {
      return true;
    }
    await failed({ subject: this.clientId, ip: Provider.ctx?.ip ?? '' });
    return false;
  };
  countUnknownClients(provider, (ip) => failed({ ip }));
}

/**
 * Wraps Client.find so that a lookup that finds nothing while a request is authenticating its
 * client counts as a failed authentication of that request's IP, once per request (on a failed
 * pushed authorization request, oidc-provider looks the client up again to shape the error).
 */
function countUnknownClients(provider: Provider, failed: (ip: string) => Promise<void>): void {
  const { Client } = provider;
  const find = Client.find.bind(Client);
  const counted = new WeakSet<KoaContextWithOIDC>();
  Client.find = async (id: string) => {
    const client = await find(id);
    const ctx = Provider.ctx;
    if (!client && ctx && isAuthenticatingClient(ctx) && !counted.has(ctx)) {
      counted.add(ctx);
      await failed(ctx.ip);
    }
    return client;
  };
}

/** On an endpoint that authenticates clients, and before one was authenticated. */
function isAuthenticatingClient(ctx: KoaContextWithOIDC): boolean {
  const oidc = ctx.oidc as KoaContextWithOIDC['oidc'] | undefined;
  return (
    oidc !== undefined && CLIENT_AUTHENTICATION_ROUTES.has(oidc.route) && oidc.client === undefined
  );
}
