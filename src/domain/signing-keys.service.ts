import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { type Kysely, sql } from 'kysely';
import { recordAuditEvent } from '../storage/audit.repository.ts';
import type { Database } from '../storage/schema.ts';
import {
  insertSigningKey,
  listPublishedSigningKeys,
  listSigningKeys,
} from '../storage/signing-keys.repository.ts';
import { decryptWithKek, encryptWithKek } from './key-encryption.ts';

/** ES256 signs by default; OpenID Connect requires RS256 support, so an RS256 key always exists. */
export const SIGNING_ALGORITHMS = ['ES256', 'RS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface PrivateSigningJwk extends JWK {
  kid: string;
  alg: string;
  use: 'sig';
}

export function createSigningKeysService(db: Kysely<Database>, kek: Buffer) {
  async function generate(alg: SigningAlgorithm, trx: Kysely<Database>, actor: string) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
    await insertSigningKey(trx, {
      kid,
      alg,
      state: 'current',
      public_jwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
      private_jwk_encrypted: encryptWithKek(kek, JSON.stringify(privateJwk), kid),
      activated_at: new Date(),
    });
    await recordAuditEvent(trx, { type: 'signing_key.created', actor, data: { kid, alg } });
  }

  return {
    /**
     * Creates a signing key for every algorithm that has none. Instances starting together take
     * a transaction-scoped advisory lock so that only one of them generates keys.
     */
    async ensureKeys(actor = 'system:startup'): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtext('portcullis.signing_keys'))`.execute(trx);
        const existing = await listPublishedSigningKeys(trx);
        for (const alg of SIGNING_ALGORITHMS) {
          if (!existing.some((key) => key.alg === alg && key.state === 'current')) {
            await generate(alg, trx, actor);
          }
        }
      });
    },

    /**
     * The private keys the provider signs with, current ones first (the provider signs with the
     * first key of an algorithm). Fails if the key-encryption key does not open them.
     */
    async loadPrivateJwks(): Promise<PrivateSigningJwk[]> {
      const rows = await listPublishedSigningKeys(db);
      const rank = (state: string) => (state === 'current' ? 0 : 1);
      return rows
        .sort((a, b) => rank(a.state) - rank(b.state))
        .map((row) => JSON.parse(decryptWithKek(kek, row.private_jwk_encrypted, row.kid)));
    },

    list: () => listSigningKeys(db),
  };
}

export type SigningKeysService = ReturnType<typeof createSigningKeysService>;
