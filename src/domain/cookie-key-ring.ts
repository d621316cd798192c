import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The cookie keys in force, in the shape of Keygrip (what Koa's and oidc-provider's cookies take
 * as `keys`), read anew on every use so that a rotation needs nothing reassigned. The first
 * secret signs; every secret verifies. Signatures are Keygrip's own (HMAC-SHA1, base64url), so
 * cookies signed before this ring existed still verify.
 *
 * `index` answers 0 for a signature made by any key, not the key's position. On a position above
 * 0 the `cookies` library re-signs the cookie, but writes the new signature with path `/`,
 * dropping the cookie's own path (oidc-provider's interaction cookies have one); the stray
 * signature then shadows the right one for clients that send cookies in another order. Not
 * re-signing is safe: a cookie key keeps verifying until every cookie it signed has expired
 * (keys.cookieRetentionSeconds ≥ ttl.session), and cookies that are set again are signed with
 * the current key anyway.
 */
export function createCookieKeyRing(secrets: () => readonly string[]) {
  const signWith = (secret: string, data: unknown) =>
    createHmac('sha1', secret).update(String(data)).digest('base64url');
  const matches = (secret: string, data: unknown, digest: string) => {
    const expected = Buffer.from(signWith(secret, data));
    const actual = Buffer.from(digest);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  };
  const ring = {
    secrets,
    sign(data: unknown): string {
      const [current] = secrets();
      if (!current) throw new Error('no cookie key in force');
      return signWith(current, data);
    },
    verify(data: unknown, digest: string): boolean {
      return secrets().some((secret) => matches(secret, data, digest));
    },
    index(data: unknown, digest: string): number {
      return ring.verify(data, digest) ? 0 : -1;
    },
  };
  return ring;
}

export type CookieKeyRing = ReturnType<typeof createCookieKeyRing>;
