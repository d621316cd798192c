import type { Kysely } from 'kysely';
import { listLiveCookieKeys } from '../storage/cookie-keys.repository.ts';
import type { Database } from '../storage/schema.ts';
import { listPublishedSigningKeys } from '../storage/signing-keys.repository.ts';
import { cookieKeyContext } from './cookie-keys.service.ts';
import { decryptWithKek } from './key-encryption.ts';

/**
 * Throws (key_decryption_failed) unless `kek` opens the keys already stored. Called before any
 * key is made, so that a process started with the wrong key-encryption key (a CLI in another
 * shell, say) never adds keys that the servers could not open beside the ones they use.
 */
export async function assertKekOpensStoredKeys(db: Kysely<Database>, kek: Buffer): Promise<void> {
  const [signing] = await listPublishedSigningKeys(db);
  if (signing?.private_jwk_encrypted) {
    decryptWithKek(kek, signing.private_jwk_encrypted, signing.kid);
  }
  const [cookie] = await listLiveCookieKeys(db);
  if (cookie?.secret_encrypted) {
    decryptWithKek(kek, cookie.secret_encrypted, cookieKeyContext(cookie.id));
  }
}
