import type { Kysely } from 'kysely';
import type { RedisHandle } from './redis.ts';
import { createRedisRevokedTokens } from './revoked-tokens.redis.ts';
import { createSqlRevokedTokens } from './revoked-tokens.sql.ts';
import type { Database } from './schema.ts';

/**
 * The deny-list of tokens revoked before they expire (self-contained JWTs cannot be recalled, so
 * whoever validates them asks here). An entry is kept exactly as long as the token would have
 * been valid; after that the token is refused for being expired anyway.
 */
export interface RevokedTokens {
  /** Denies the token with this `jti` until `expiresAt`. Revoking twice is harmless. */
  revoke(jti: string, expiresAt: Date): Promise<void>;
  isRevoked(jti: string): Promise<boolean>;
}

/** In Redis when there is one (TTL = remaining lifetime), otherwise in SQL. */
export function createRevokedTokens(stores: {
  db: Kysely<Database>;
  redis?: RedisHandle | undefined;
}): RevokedTokens {
  return stores.redis ? createRedisRevokedTokens(stores.redis) : createSqlRevokedTokens(stores.db);
}
