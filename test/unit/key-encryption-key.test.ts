import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeKeyEncryptionKey } from '../../src/config/key-encryption-key.ts';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

const key = randomBytes(32);

describe('the key-encryption key', () => {
  it('accepts 32 bytes in canonical base64 or base64url', () => {
    expect(decodeKeyEncryptionKey(key.toString('base64'))?.equals(key)).toBe(true);
    expect(decodeKeyEncryptionKey(key.toString('base64url'))?.equals(key)).toBe(true);
  });

  it('refuses text that only decodes to 32 bytes leniently', () => {
    const canonical = key.toString('base64');
    const lenient = [
      `${canonical} `,
      `${canonical.slice(0, 20)}!${canonical.slice(20)}`,
      `${canonical.slice(0, 20)}\n${canonical.slice(20)}`,
      canonical.replace(/=$/, '=='),
      `${canonical}AAAA`.slice(0, canonical.length + 1),
    ];
    for (const text of lenient)
      expect(decodeKeyEncryptionKey(text), JSON.stringify(text)).toBe(undefined);
  });

  it('refuses other lengths', () => {
    for (const length of [0, 16, 31, 33, 64]) {
      expect(decodeKeyEncryptionKey(randomBytes(length).toString('base64'))).toBe(undefined);
    }
  });

  it('is checked when the configuration loads, naming the variable', () => {
    const bad = `${key.toString('base64').slice(0, 10)}*${key.toString('base64').slice(10)}`;
    expect(() => loadConfig({ PORTCULLIS_KEY_ENCRYPTION_KEY: bad })).toThrow(ConfigError);
    expect(() => loadConfig({ PORTCULLIS_KEY_ENCRYPTION_KEY: bad })).toThrow(
      /PORTCULLIS_KEY_ENCRYPTION_KEY.*canonical/,
    );
  });
});
