import { type Kysely, sql } from 'kysely';
import { REDIS_MODELS } from './oidc-adapter-factory.ts';
import { accountSessionsKey } from './oidc-redis-adapter.ts';
import { defineOidcScripts } from './oidc-redis-scripts.ts';
import { guarded, type RedisHandle } from './redis.ts';
import type { Database } from './schema.ts';

/**
 * Ends everything an account holds: its grants with every token issued under them (SQL and
 * Redis), and its sessions (SQL, or Redis where each account's sessions are kept in a set). What
 * is deleted cannot come back: enabling the account again means signing in again.
 */
export async function revokeAccountAccess(
  db: Kysely<Database>,
  redis: RedisHandle | undefined,
  accountId: string,
): Promise<void> {
  const ofAccount = sql<string>`payload->>'accountId'`;
  const grantIds = await db.transaction().execute(async (trx) => {
    const grants = await trx
      .deleteFrom('oidc_payloads')
      .where('model', '=', 'Grant')
      .where(ofAccount, '=', accountId)
      .returning('id')
      .execute();
    const ids = grants.map((grant) => grant.id);
    await trx
      .deleteFrom('oidc_payloads')
      .where((eb) =>
        eb.or([
          ...(ids.length ? [eb('grant_id', 'in', ids)] : []),
          eb.and([eb('model', '=', 'Session'), eb(ofAccount, '=', accountId)]),
        ]),
      )
      .execute();
    return ids;
  });
  if (!redis) return;
  defineOidcScripts(redis.client);
  const sets = [...REDIS_MODELS].flatMap((model) =>
    grantIds.map((grantId) => `${redis.prefix}${model}:grant:${grantId}`),
  );
  sets.push(accountSessionsKey(redis.prefix, accountId));
  await guarded(Promise.all(sets.map((set) => redis.client.oidcRevokeByGrant(set))));
}
