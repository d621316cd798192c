import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify } from 'jose';

/**
 * A resource server as an API team would write it with jose: a remote JWKS cached for the
 * max-age our /jwks announces. Stricter than jose's defaults in one way: it never refetches on an
 * unknown `kid` (the cooldown outlasts the test), so a token signed by a key that was not already
 * in its cache fails instead of being rescued by a refetch.
 */
export function strictResourceServer(issuer: string, maxAgeSeconds: number) {
  let fetches = 0;
  const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`), {
    cacheMaxAge: maxAgeSeconds * 1000,
    cooldownDuration: 3_600_000,
    [customFetch]: (url, init) => {
      fetches += 1;
      return fetch(url, init);
    },
  });
  return {
    get jwksFetches() {
      return fetches;
    },
    /** Verifies a JWT with the cached JWKS; returns the `kid` that signed it. */
    async verify(token: string, expected: { audience: string; typ?: string }): Promise<string> {
      await jwtVerify(token, jwks, { issuer, ...expected });
      return String(decodeProtectedHeader(token).kid);
    },
  };
}

/** Max-age from a Cache-Control header such as `public, max-age=600`. */
export function maxAgeOf(cacheControl: string | null): number {
  const match = /(?:^|,)\s*max-age=(\d+)/.exec(cacheControl ?? '');
  if (!match?.[1]) throw new Error(`no max-age in Cache-Control: ${cacheControl}`);
  return Number(match[1]);
}
