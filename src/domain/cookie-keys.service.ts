import { randomBytes } from 'node:crypto';
import {
  insertCookieKey,
  listLiveCookieKeys,
  updateCookieKey,
} from '../storage/cookie-keys.repository.ts';
import { encryptWithKek } from './key-encryption.ts';
import { type KeyFamily, lifecycleOf, transitionColumns } from './key-family.ts';

/** Additional data binding a sealed cookie secret to its row. */
export const cookieKeyContext = (id: string) => `cookie-key:${id}`;

/**
 * The keys that sign cookies (and CSRF tokens). They rotate like signing keys so that every
 * instance already verifies with a key before any instance signs with it, and keeps verifying
 * with it until the cookies it signed have expired.
 */
export function cookieKeyFamily(kek: Buffer): KeyFamily {
  return {
    kind: 'cookie_key',
    name: 'cookie',
    async listLive(db) {
      const rows = await listLiveCookieKeys(db);
      return rows.map((row) => lifecycleOf(row.id, row));
    },
    async create(db, { state, promoteAt, now }) {
      const id = `ck_${randomBytes(12).toString('base64url')}`;
      const secret = randomBytes(32).toString('base64url');
      await insertCookieKey(db, {
        id,
        state,
        secret_encrypted: encryptWithKek(kek, secret, cookieKeyContext(id)),
        created_at: now,
        promote_at: promoteAt,
        activated_at: state === 'current' ? now : null,
      });
      return id;
    },
    async transition(db, id, state, now) {
      const destroy = state === 'removed' || state === 'revoked';
      await updateCookieKey(db, id, {
        ...transitionColumns(state, now),
        ...(destroy ? { secret_encrypted: null } : {}),
      });
    },
    async setPromoteAt(db, id, promoteAt) {
      await updateCookieKey(db, id, { promote_at: promoteAt });
    },
  };
}
