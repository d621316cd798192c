import { generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';

/**
 * fast-check arbitraries for the pieces of a malformed request: parameter values with broken
 * percent-encoding, invalid JWTs, garbage credentials. Every value here is already written as it
 * goes on the wire (percent-encoded where it should be, broken where it is meant to be).
 */

/** What a real client of the server under test holds: the sweep mixes it into the garbage. */
export interface Known {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  accessToken: string;
  refreshToken: string;
  idToken: string;
}

/** Percent-encodes every byte of the UTF-8 form of `text` (a lone surrogate becomes U+FFFD). */
export function pct(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => `%${byte.toString(16).padStart(2, '0')}`)
    .join('');
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value) ?? '').toString('base64url');
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value) ?? '').toString('base64');

/**
 * Percent-encoding that does not decode, or decodes to what storage cannot hold: truncated
 * escapes, non-hex, invalid UTF-8, a lone surrogate, NUL (which Postgres refuses in text and jsonb).
 */
export const brokenEncoding = fc.constantFrom(
  '%00',
  '%',
  '%%',
  '%zz',
  '%C3%28',
  '%E0%A4%A',
  '%ED%A0%80',
  '%FF%FE%FD',
  '%u0041',
  '+%2',
  'a%',
);

/** Any text at all, NUL included, percent-encoded as UTF-8. */
export const text = fc.string({ unit: 'binary', maxLength: 40 }).map(pct);

/** Characters a header value may carry on the wire (Latin-1 without controls), in any order. */
export const headerJunk = (maxLength = 60) =>
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((code) => code !== 0x7f && (code < 0x80 || code >= 0xa0))
      .map((code) => String.fromCharCode(code)),
    maxLength,
  });

const segment = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/),
  fc.constantFrom('', '!!', '+/==', '%%', 'e30', 'bnVsbA', '....'),
  fc.base64String({ maxLength: 40 }),
);

const jsonish = fc.jsonValue({ maxDepth: 2 });

const header = fc.oneof(
  fc.constantFrom({ alg: 'none' }, { alg: 'none', typ: 'JWT' }, { alg: 'NONE' }, {}),
  fc.record(
    {
      alg: fc.constantFrom('HS256', 'RS256', 'ES256', 'EdDSA', 'PS256', 'none', '', 'RSA-OAEP'),
      typ: fc.constantFrom('JWT', 'dpop+jwt', 'oauth-authz-req+jwt', 'at+jwt', 'logout+jwt'),
      kid: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
      crit: fc.array(fc.string({ maxLength: 5 }), { maxLength: 2 }),
      jku: fc.constant('http://127.0.0.1:9/jwks'),
      enc: fc.constantFrom('A128GCM', 'A256CBC-HS512'),
    },
    { requiredKeys: ['alg'] },
  ),
  jsonish,
);

/** The claims a JWT for this server would carry, with values of any type. */
const claims = (known: Known) =>
  fc.oneof(
    fc.record(
      {
        iss: fc.oneof(fc.constantFrom(known.clientId, known.issuer), jsonish),
        sub: fc.oneof(fc.constant(known.clientId), jsonish),
        aud: fc.oneof(fc.constantFrom(known.issuer, `${known.issuer}/token`), jsonish),
        client_id: fc.oneof(fc.constant(known.clientId), jsonish),
        exp: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 5 })),
        iat: fc.oneof(fc.integer(), fc.constant(Math.floor(Date.now() / 1000))),
        jti: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
        redirect_uri: fc.constant(known.redirectUri),
      },
      { requiredKeys: [] },
    ),
    jsonish,
  );

/** Strings that look like JWTs (or JWEs) and are not valid ones. */
export const invalidJwt = (known: Known) =>
  fc
    .oneof(
      fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
      fc.tuple(header, claims(known)).map(([h, c]) => `${b64url(h)}.${b64url(c)}.`),
      fc
        .tuple(header, claims(known), segment)
        .map(([h, c, signature]) => `${b64url(h)}.${b64url(c)}.${signature}`),
      // Standard base64 (+, /, =) where base64url belongs.
      fc.tuple(header, claims(known)).map(([h, c]) => `${b64(h)}.${b64(c)}.AA==`),
      fc.array(segment, { minLength: 5, maxLength: 5 }).map((parts) => parts.join('.')),
      fc.constant(`${b64url({ alg: 'none' })}.${'A'.repeat(20_000)}.`),
    )
    // An empty parameter counts as one not sent (RFC 6749 §3.1): no JWT to refuse.
    .filter((jwt) => jwt !== '');

// A key of our own: proofs it signs are well formed and bound to nothing the server issued.
const proofKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const proofJwk = proofKey.publicKey.export({ format: 'jwk' });

/** A DPoP proof signed for real, with claims right, wrong or of the wrong type. */
export const signedProof = (known: Known) =>
  fc
    .record({
      typ: fc.constantFrom('dpop+jwt', 'JWT', undefined),
      jwk: fc.oneof(fc.constant(proofJwk), fc.constant({ ...proofJwk, x: 'AA' }), jsonish),
      htm: fc.oneof(fc.constantFrom('POST', 'GET', 'TRACE'), jsonish),
      htu: fc.oneof(fc.constantFrom(`${known.issuer}/token`, `${known.issuer}/me`), jsonish),
      iat: fc.oneof(fc.constant(Math.floor(Date.now() / 1000)), jsonish),
      jti: fc.oneof(fc.string({ maxLength: 10 }), jsonish),
      ath: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 10 }), jsonish),
    })
    .map(({ typ, jwk, ...payload }) => {
      const input = `${b64url({ typ, alg: 'ES256', jwk })}.${b64url(payload)}`;
      const signature = sign('sha256', Buffer.from(input), {
        key: proofKey.privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      return `${input}.${signature.toString('base64url')}`;
    });

/** A DPoP header value: junk, an invalid JWT, or a real proof that proves nothing. */
export const dpopHeader = (known: Known) =>
  fc.oneof(headerJunk(), invalidJwt(known), signedProof(known));

const basic = (userPass: string) => `Basic ${Buffer.from(userPass, 'latin1').toString('base64')}`;

/** Authorization header values: garbage of every scheme, and the client's real one. */
export const authorization = (known: Known) =>
  fc.oneof(
    fc.constant(basic(`${known.clientId}:${known.clientSecret}`)),
    fc
      .oneof(
        fc.constantFrom('nocolon', ':', '%:%', '%E0%A4%A:x', `${known.clientId}%zz:x`),
        fc.constant(`${known.clientId}:${known.clientSecret}%`),
        headerJunk(40),
      )
      .map(basic),
    fc.constantFrom('%%%', '!!!', '====', 'YQ', 'Y=Q', '', ' ').map((junk) => `Basic ${junk}`),
    headerJunk().map((junk) => `Bearer ${junk}`),
    invalidJwt(known).map((jwt) => `Bearer ${jwt}`),
    fc.constantFrom(
      'Bearer',
      'Basic',
      `DPoP ${known.accessToken}`,
      `Bearer ${known.accessToken}`,
      `Bearer ${'A'.repeat(12_000)}`,
      'bearer x y z',
      'Digest username="x", realm="y"',
      'Negotiate YII=',
    ),
    headerJunk(),
  );
