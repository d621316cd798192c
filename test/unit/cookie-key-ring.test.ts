import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCookieKeyRing } from '../../src/domain/cookie-key-ring.ts';

/** Keygrip's signature, spelled out as Keygrip computes it. */
const keygripSign = (secret: string, data: string) =>
  createHmac('sha1', secret)
    .update(data)
    .digest('base64')
    .replace(/\/|\+|=/g, (c) => ({ '/': '_', '+': '-', '=': '' })[c] ?? c);

describe('the cookie key ring', () => {
  const current = 'c'.repeat(43);
  const retired = 'r'.repeat(43);

  it('signs like Keygrip with the first secret, so cookies signed before stay valid', () => {
    const ring = createCookieKeyRing(() => [current, retired]);
    expect(ring.sign('_session=abc')).toBe(keygripSign(current, '_session=abc'));
  });

  it('verifies with every secret and reports index 0 so that cookies are not re-signed', () => {
    let secrets = [retired];
    const ring = createCookieKeyRing(() => secrets);
    const old = ring.sign('_interaction=uid');
    secrets = [current, retired];
    expect(ring.verify('_interaction=uid', old)).toBe(true);
    expect(ring.index('_interaction=uid', old)).toBe(0);
    expect(ring.index('_interaction=other', old)).toBe(-1);
    secrets = [current];
    expect(ring.verify('_interaction=uid', old)).toBe(false);
  });
});
