import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptWithKek, encryptWithKek } from '../../src/domain/key-encryption.ts';
import { DomainError } from '../../src/shared/errors.ts';

const kek = randomBytes(32);
const secret = JSON.stringify({ kty: 'EC', d: 'private-part' });

const decryptionFailure = (decrypt: () => unknown) => {
  expect(decrypt).toThrow(DomainError);
  expect(decrypt).toThrow(expect.objectContaining({ code: 'key_decryption_failed' }));
};

describe('key encryption', () => {
  it('decrypts what it encrypted under the same key and context', () => {
    const sealed = encryptWithKek(kek, secret, 'kid-1');
    expect(sealed).not.toContain('private-part');
    expect(decryptWithKek(kek, sealed, 'kid-1')).toBe(secret);
  });

  it('encrypts the same plaintext differently every time', () => {
    expect(encryptWithKek(kek, secret, 'kid-1')).not.toBe(encryptWithKek(kek, secret, 'kid-1'));
  });

  it('fails with key_decryption_failed under another key', () => {
    const sealed = encryptWithKek(kek, secret, 'kid-1');
    decryptionFailure(() => decryptWithKek(randomBytes(32), sealed, 'kid-1'));
  });

  it('detects a tampered ciphertext', () => {
    const [version, iv, tag, ciphertext = ''] = encryptWithKek(kek, secret, 'kid-1').split('.');
    const bytes = Buffer.from(ciphertext, 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    const tampered = [version, iv, tag, bytes.toString('base64url')].join('.');
    decryptionFailure(() => decryptWithKek(kek, tampered, 'kid-1'));
  });

  it('binds a ciphertext to its context, so it cannot be moved to another key id', () => {
    const sealed = encryptWithKek(kek, secret, 'kid-1');
    decryptionFailure(() => decryptWithKek(kek, sealed, 'kid-2'));
  });

  it('refuses a value in an unknown format', () => {
    decryptionFailure(() => decryptWithKek(kek, 'plain text', 'kid-1'));
    decryptionFailure(() => decryptWithKek(kek, 'v2.a.b.c', 'kid-1'));
  });
});
