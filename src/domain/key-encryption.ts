import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { envNameFor } from '../config/env.ts';
import { DomainError } from '../shared/errors.ts';
import type { SecretBox } from '../storage/oidc-payload-sealing.ts';

const VERSION = 'v1';
const KEK_VARIABLE = envNameFor(['keyEncryptionKey']) ?? 'the key-encryption key';

/**
 * AES-256-GCM under the key-encryption key. `context` (the key id) is bound as additional data so
 * a ciphertext cannot be moved to another row. Output: v1.<iv>.<tag>.<ciphertext>, base64url.
 */
export function encryptWithKek(kek: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function decryptWithKek(kek: Buffer, sealed: string, context: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || !ciphertext) {
    throw new DomainError('key_decryption_failed', 'a stored key has an unknown format', 500);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  } catch {
    throw new DomainError(
      'key_decryption_failed',
      `${KEK_VARIABLE} does not decrypt the signing and cookie keys stored in the database; ` +
        'start with the key-encryption key they were created with (no key was changed)',
      500,
    );
  }
}

/** The key-encryption key as storage seals with it: the bearer values it must keep (oidc-payload-sealing.ts). */
export function kekSecretBox(kek: Buffer): SecretBox {
  return {
    seal: (plaintext, context) => encryptWithKek(kek, plaintext, context),
    open: (sealed, context) => decryptWithKek(kek, sealed, context),
  };
}
