import Provider, { errors } from 'oidc-provider';
import type { AttemptThrottle } from '../domain/attempt-throttle.ts';
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
 */
export function useHashedClientSecrets(provider: Provider, throttle: AttemptThrottle): void {
  const failed = translated(async (clientId: string) => {
    const attempt = { subject: clientId, ip: Provider.ctx?.ip ?? '' };
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
    await failed(this.clientId);
    return false;
  };
}
