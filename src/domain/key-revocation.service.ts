import type { Kysely } from 'kysely';
import { DomainError } from '../shared/errors.ts';
import { findCookieKey } from '../storage/cookie-keys.repository.ts';
import { announceKeyChange, databaseNow, lockKeys } from '../storage/key-changes.ts';
import type { Database, KeyState } from '../storage/schema.ts';
import { findSigningKey } from '../storage/signing-keys.repository.ts';
import { cookieKeyFamily } from './cookie-keys.service.ts';
import { assertKekOpensStoredKeys } from './kek-check.ts';
import type { KeyFamily } from './key-family.ts';
import { audit, type KeyActor } from './key-rotation.service.ts';
import { signingKeyFamily } from './signing-keys.service.ts';

export interface Revocation {
  kind: KeyFamily['kind'];
  id: string;
  family: string;
  previousState: KeyState;
  /** The key that signs instead, when the revoked key was the one signing. */
  replacement: { id: string; publishedForSeconds: number } | null;
}

/**
 * The emergency path for a compromised key: it stops being published and stops signing in one
 * transaction, its private half is destroyed, and if it was signing, the published next key
 * takes over at once (or a new key, when there is no next one). Every instance is told at once.
 * What this breaks is the caller's to explain: everything the key signed stops verifying.
 */
export function createKeyRevocationService(db: Kysely<Database>, kek: Buffer) {
  async function find(trx: Kysely<Database>, id: string) {
    const signing = await findSigningKey(trx, id);
    if (signing) return { family: signingKeyFamily(signing.alg, kek), state: signing.state };
    const cookie = await findCookieKey(trx, id);
    if (cookie) return { family: cookieKeyFamily(kek), state: cookie.state };
    throw new DomainError('key_not_found', `no signing or cookie key has the id ${id}`, 404);
  }

  async function replace(trx: Kysely<Database>, family: KeyFamily, now: Date, actor: KeyActor) {
    const next = (await family.listLive(trx)).find((key) => key.state === 'next');
    if (next) {
      await family.transition(trx, next.id, 'current', now);
      const publishedForSeconds = Math.floor((now.getTime() - next.createdAt.getTime()) / 1000);
      await audit(trx, family, 'promoted', next.id, actor, { reason: 'revocation' });
      return { id: next.id, publishedForSeconds };
    }
    const id = await family.create(trx, { state: 'current', promoteAt: null, now });
    await audit(trx, family, 'created', id, actor, { state: 'current', reason: 'revocation' });
    return { id, publishedForSeconds: 0 };
  }

  return {
    async revoke(id: string, actor: KeyActor = 'cli'): Promise<Revocation> {
      return db.transaction().execute(async (trx) => {
        await lockKeys(trx);
        await assertKekOpensStoredKeys(trx, kek);
        const { family, state } = await find(trx, id);
        if (state === 'removed' || state === 'revoked') {
          throw new DomainError('key_not_live', `key ${id} is already ${state}`, 409);
        }
        const now = await databaseNow(trx);
        await family.transition(trx, id, 'revoked', now);
        await audit(trx, family, 'revoked', id, actor, { previous_state: state });
        const replacement = state === 'current' ? await replace(trx, family, now, actor) : null;
        await announceKeyChange(trx);
        return { kind: family.kind, id, family: family.name, previousState: state, replacement };
      });
    },
  };
}
