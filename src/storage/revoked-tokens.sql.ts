import { type Kysely, sql } from 'kysely';
import type { RevokedTokens } from './revoked-tokens.ts';
import type { Database } from './schema.ts';

/** The `revoked_tokens` table; rows past their expiry are ignored, then purged. */
export function createSqlRevokedTokens(db: Kysely<Database>): RevokedTokens {
  return {
    async revoke(jti, expiresAt) {
      if (expiresAt.getTime() <= Date.now()) return;
      await db
        .insertInto('revoked_tokens')
        .values({ jti, expires_at: expiresAt })
        .onConflict((oc) =>
          oc.column('jti').doUpdateSet({
            expires_at: sql<Date>`greatest(revoked_tokens.expires_at, excluded.expires_at)`,
          }),
        )
        .execute();
    },
    async isRevoked(jti) {
      const row = await db
        .selectFrom('revoked_tokens')
        .select('jti')
        .where('jti', '=', jti)
        .where('expires_at', '>', sql<Date>`now()`)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

/** Deletes entries for tokens that have expired by now. */
export async function purgeExpiredRevocations(db: Kysely<Database>): Promise<number> {
  const result = await db
    .deleteFrom('revoked_tokens')
    .where('expires_at', '<', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
