import { type Configuration, errors } from 'oidc-provider';

type Features = NonNullable<Configuration['features']>;
type IntrospectionPolicy = NonNullable<NonNullable<Features['introspection']>['allowedPolicy']>;
type RevocationPolicy = NonNullable<NonNullable<Features['revocation']>['allowedPolicy']>;

/**
 * A client may introspect only the tokens issued to it. oidc-provider's default lets every
 * confidential client read every other client's tokens; resource servers will get their own
 * rule when APIs are registered. A refusal answers `{"active": false}`, revealing nothing.
 */
export const introspectionAllowed: IntrospectionPolicy = (_ctx, client, token) =>
  token.clientId === client.clientId;

/** A client may revoke only its own tokens (RFC 7009 §2.1). */
export const revocationAllowed: RevocationPolicy = (_ctx, client, token) => {
  if (token.clientId === client.clientId) return true;
  if (client.clientAuthMethod === 'none') return false;
  throw new errors.InvalidRequest('client is not authorized to revoke the presented token');
};
