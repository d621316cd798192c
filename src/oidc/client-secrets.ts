import type { Provider } from 'oidc-provider';
import { clientSecretMatches } from '../domain/client-secret.ts';

/**
 * Client secrets are stored only as hashes, so the provider's plain comparison is replaced by a
 * constant-time comparison of hashes. This is the extension point oidc-provider's author
 * recommends for hashed secrets; it rules out HS* algorithms keyed by the secret, which we
 * disable anyway.
 */
export function useHashedClientSecrets(provider: Provider): void {
  provider.Client.prototype.compareClientSecret = async function compareClientSecret(
    this: { clientSecret?: string },
    actual: string,
  ) {
    return typeof this.clientSecret === 'string' && clientSecretMatches(this.clientSecret, actual);
  };
}
