import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import {
  insertSigningKey,
  listPublishedSigningKeys,
  updateSigningKey,
} from '../storage/signing-keys.repository.ts';
import { encryptWithKek } from './key-encryption.ts';
import { type KeyFamily, lifecycleOf, transitionColumns } from './key-family.ts';

export interface PublicSigningJwk extends JWK {
  kid: string;
  alg: string;
  use: 'sig';
}

export interface PrivateSigningJwk extends PublicSigningJwk {
  /** ['verify'] on every key that must not sign (next, retired); absent on the signing key. */
  key_ops?: string[];
}

/** A fresh key pair; `kid` is its RFC 7638 thumbprint, the private half sealed under the KEK. */
async function generateSigningKey(alg: string, kek: Buffer) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const exported = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(exported);
  const publicJwk: PublicSigningJwk = { ...exported, kid, alg, use: 'sig' };
  const privateJwk: PrivateSigningJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  return { kid, publicJwk, sealed: encryptWithKek(kek, JSON.stringify(privateJwk), kid) };
}

/** The signing keys of one algorithm, as a family the rotation service drives. */
export function signingKeyFamily(alg: string, kek: Buffer): KeyFamily {
  return {
    kind: 'signing_key',
    name: alg,
    async listLive(db) {
      const rows = await listPublishedSigningKeys(db);
      return rows.filter((row) => row.alg === alg).map((row) => lifecycleOf(row.kid, row));
    },
    async create(db, { state, promoteAt, now }) {
      const { kid, publicJwk, sealed } = await generateSigningKey(alg, kek);
      await insertSigningKey(db, {
        kid,
        alg,
        state,
        public_jwk: JSON.stringify(publicJwk),
        private_jwk_encrypted: sealed,
        created_at: now,
        promote_at: promoteAt,
        activated_at: state === 'current' ? now : null,
      });
      return kid;
    },
    async transition(db, kid, state, now) {
      const destroy = state === 'removed' || state === 'revoked';
      await updateSigningKey(db, kid, {
        ...transitionColumns(state, now),
        ...(destroy ? { private_jwk_encrypted: null } : {}),
      });
    },
    async setPromoteAt(db, kid, promoteAt) {
      await updateSigningKey(db, kid, { promote_at: promoteAt });
    },
  };
}
