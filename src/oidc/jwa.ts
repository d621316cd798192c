import type { Configuration } from 'oidc-provider';

type SigningAlgValues = Configuration['enabledJWA'];

/**
 * The algorithms clients may choose for signed ID tokens, userinfo, introspection and
 * authorization responses: exactly those we keep a signing key for. oidc-provider refuses a key
 * whose algorithm is not enabled here, so this always follows the configured key families.
 */
export function signingAlgValues(algorithms: readonly string[]): SigningAlgValues {
  const values = [...algorithms] as NonNullable<SigningAlgValues>['idTokenSigningAlgValues'];
  return {
    idTokenSigningAlgValues: values,
    userinfoSigningAlgValues: values,
    introspectionSigningAlgValues: values,
    authorizationSigningAlgValues: values,
  };
}
