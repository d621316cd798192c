import { guarded, type RedisHandle } from './redis.ts';
import type { RevokedTokens } from './revoked-tokens.ts';

/** One key per revoked token, `<prefix>revoked:<jti>`, expiring when the token would have. */
export function createRedisRevokedTokens(redis: RedisHandle): RevokedTokens {
  const keyFor = (jti: string) => `${redis.prefix}revoked:${jti}`;
  return {
    async revoke(jti, expiresAt) {
      const remainingMs = expiresAt.getTime() - Date.now();
      if (remainingMs <= 0) return;
      await guarded(redis.client.set(keyFor(jti), '1', 'PX', Math.ceil(remainingMs)));
    },
    async isRevoked(jti) {
      return (await guarded(redis.client.exists(keyFor(jti)))) === 1;
    },
  };
}
