import { describe, expect, it } from 'vitest';
import {
  clientSecretMatches,
  generateClientSecret,
  hashClientSecret,
} from '../../src/domain/client-secret.ts';

describe('client secrets', () => {
  it('generates 256-bit secrets as 43 base64url characters', () => {
    const secret = generateClientSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(generateClientSecret()).not.toBe(secret);
  });

  it('hashes a secret into a sha256: value that does not contain it', () => {
    const secret = generateClientSecret();
    const hash = hashClientSecret(secret);
    expect(hash).toMatch(/^sha256:[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain(secret);
    expect(hashClientSecret(secret)).toBe(hash);
  });

  it('matches the secret a hash was made from and nothing else', () => {
    const secret = generateClientSecret();
    const hash = hashClientSecret(secret);
    expect(clientSecretMatches(hash, secret)).toBe(true);
    expect(clientSecretMatches(hash, generateClientSecret())).toBe(false);
    expect(clientSecretMatches(hash, '')).toBe(false);
    expect(clientSecretMatches(hash, hash)).toBe(false);
  });

  it('never matches a stored value that is not a sha256: hash', () => {
    const secret = generateClientSecret();
    expect(clientSecretMatches(secret, secret)).toBe(false);
    expect(clientSecretMatches('sha256:', secret)).toBe(false);
  });
});
