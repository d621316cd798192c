import { hash } from 'node:crypto';
import type { Adapter } from 'oidc-provider';
import { openPayload, type SecretBox, sealPayload } from './oidc-payload-sealing.ts';

/**
 * oidc-provider's models whose id is a bearer value: whoever presents it has the token, the
 * code, the browser session (the `_session` cookie) or the sign-in in progress (the
 * `_interaction` cookie). Not here: grants and session uids (an id that grants nothing by
 * itself, and that other rows point at), pushed authorization requests (a `request_uri` only
 * starts a sign-in, for its own client), replay detection (already a hash), clients (their own
 * table), and any model of ours (they choose their own keys).
 */
const HASHED_ID_MODELS: ReadonlySet<string> = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'ClientCredentials',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
  'Session',
  'Interaction',
  'RegistrationAccessToken',
  'InitialAccessToken',
]);

/**
 * What storage keys an entry by instead of its bearer value: the value's SHA-256, base64url. The
 * values are random (256 bits for tokens and codes, 126 for session ids), so an unsalted hash
 * cannot be reversed; the 2026-12-02T18 migration computes the same expression in SQL.
 */
export const storedId = (id: string): string => hash('sha256', id, 'base64url');

/**
 * Wraps the adapter of a model in HASHED_ID_MODELS so that nothing it stores is usable: ids are
 * hashed on the way in, and the payload leaves its copies of the bearer value behind
 * (oidc-payload-sealing.ts). `find(id)` is handed the value, so what it returns is what
 * oidc-provider saved. The stores below (SQL, Redis) are unchanged and see only hashes; the
 * hashing costs about a microsecond a call. Grant ids pass through: they are not bearer values,
 * and revokeByGrantId and the SQL read-ahead of a token's grant find rows by them.
 */
export function withHashedIds(model: string, adapter: Adapter, box: SecretBox): Adapter {
  if (!HASHED_ID_MODELS.has(model)) return adapter;
  // Adapters may answer "not found" with undefined or nothing at all (void).
  const opened = async (found: ReturnType<Adapter['find']>, id?: string) =>
    openPayload(model, (await found) || undefined, id, box);
  return {
    upsert: (id, payload, expiresIn) =>
      adapter.upsert(storedId(id), sealPayload(model, id, payload, box), expiresIn),
    find: (id) => opened(adapter.find(storedId(id)), id),
    findByUid: (uid) => opened(adapter.findByUid(uid)),
    findByUserCode: (userCode) => opened(adapter.findByUserCode(userCode)),
    consume: (id) => adapter.consume(storedId(id)),
    destroy: (id) => adapter.destroy(storedId(id)),
    revokeByGrantId: (grantId) => adapter.revokeByGrantId(grantId),
  };
}
