import fc from 'fast-check';
import {
  authorization,
  brokenEncoding,
  dpopHeader,
  headerJunk,
  invalidJwt,
  type Known,
  pct,
  text,
} from './malformed-values.ts';
import { describeRequest, type RawRequest } from './raw-http.ts';

/** An address to sweep and what answers it: the protocol, a page for people, or a document. */
export interface Target {
  path: string;
  kind: 'protocol' | 'page' | 'document';
}

/** Methods Node's HTTP parser knows (a request reaches the app) and one it does not (FOO). */
export const METHODS = [
  'GET',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'HEAD',
  'TRACE',
  'PROPFIND',
  'FOO',
] as const;

export const method = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('GET', 'POST') },
  { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
);

/** The parameters that matter to some endpoint, and names that trip naive parsers. */
const name = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      ...['client_id', 'client_secret', 'grant_type', 'code', 'code_verifier', 'redirect_uri'],
      ...['refresh_token', 'scope', 'response_type', 'state', 'nonce', 'code_challenge'],
      ...['code_challenge_method', 'token', 'token_type_hint', 'id_token_hint', 'prompt'],
      ...['post_logout_redirect_uri', 'request', 'request_uri', 'client_assertion'],
      ...['client_assertion_type', 'access_token', 'resource', 'claims', 'max_age', 'logout'],
      ...['email', 'password', 'csrf', 'xsrf', 'login_hint', 'response_mode', 'ui_locales'],
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '__proto__', 'constructor', 'a[b]', 'a[]', 'toString', '%zz'),
  },
  { weight: 1, arbitrary: text },
);

/** Values a real client would send, so that some requests get past the first checks. */
const sensible = (known: Known) =>
  fc
    .constantFrom(
      ...[known.clientId, known.clientSecret, known.redirectUri, known.accessToken],
      ...[known.refreshToken, known.idToken, 'authorization_code', 'refresh_token', 'code'],
      ...['client_credentials', 'openid', 'openid offline_access', 'S256', 'login', 'consent'],
      ...['urn:ietf:params:oauth:client-assertion-type:jwt-bearer', 'access_token', 'none'],
      ...['urn:ietf:params:oauth:grant-type:device_code', 'https://api.example', '0', '-1'],
    )
    .map(pct);

const value = (known: Known) =>
  fc.oneof(
    { weight: 3, arbitrary: sensible(known) },
    { weight: 2, arbitrary: brokenEncoding },
    { weight: 2, arbitrary: text },
    { weight: 2, arbitrary: invalidJwt(known) },
    { weight: 1, arbitrary: fc.tuple(text, brokenEncoding).map(([a, b]) => a + b) },
  );

/** Parameters in any order, some of them twice with different values. */
export const parameters = (known: Known) =>
  fc
    .tuple(
      fc.array(fc.tuple(name, value(known)), { maxLength: 8 }),
      fc.array(fc.tuple(name, value(known), value(known)), { maxLength: 2 }),
    )
    .map(([single, twice]) => [
      ...single,
      ...twice.flatMap(
        ([key, first, second]): Array<[string, string]> => [
          [key, first],
          [key, second],
        ],
      ),
    ]);

const joined = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => `${k}=${v}`).join('&');

const MANY = Array.from({ length: 3000 }, (_, i) => `p${i}=${i}`).join('&');

export const query = (known: Known) =>
  fc.oneof(
    { weight: 3, arbitrary: parameters(known).map(joined) },
    { weight: 1, arbitrary: fc.constantFrom('', '?', '&&&', '=', `x=${'a'.repeat(20_000)}`) },
  );

/** A body of one shape or another, whatever the Content-Type says. */
export const body = (known: Known) =>
  fc.oneof(
    { weight: 4, arbitrary: parameters(known).map(joined) },
    {
      weight: 1,
      arbitrary: parameters(known).map((p) => `${joined(p)}&big=${'a'.repeat(100_000)}`),
    },
    { weight: 1, arbitrary: fc.constant(MANY) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"grant_type":', '[]', 'null', '"x"') },
    { weight: 1, arbitrary: parameters(known).map(multipart) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

function multipart(pairs: Array<[string, string]>): string {
  const parts = pairs.map(
    ([k, v]) => `--x\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  return `${parts.join('')}--x--\r\n`;
}

export const contentType = fc.oneof(
  { weight: 3, arbitrary: fc.constant('application/x-www-form-urlencoded') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined,
      'application/x-www-form-urlencoded; charset=bogus',
      'application/x-www-form-urlencoded; charset=utf-16',
      'application/json',
      'application/json; charset=latin1',
      'multipart/form-data; boundary=x',
      'multipart/form-data',
      'text/plain',
      'application/jwt',
      'application/octet-stream',
      '',
      ';;;',
      'x',
    ),
  },
);

export const contentEncoding = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'bogus', 'identity', 'gzip, x'),
  },
);

export const accept = fc.constantFrom(
  'application/json',
  'application/json',
  'text/html',
  '*/*',
  undefined,
  'garbage/;;',
  'application/json;q=0',
);

/** A cookie header: none, junk under the provider's cookie names, or junk of any name. */
export const cookie = fc.oneof(
  fc.constant(undefined),
  fc
    .tuple(
      fc.constantFrom('_interaction', '_interaction_resume', '_session', '_session.legacy'),
      fc.oneof(
        brokenEncoding,
        headerJunk(40).filter((v) => !/[;,]/.test(v)),
      ),
    )
    .map(([n, v]) => `${n}=${v}; ${n}.sig=${v}`),
  headerJunk(200),
);

/** Optional credentials: an Authorization and a DPoP header, either of them garbage. */
export const credentials = (known: Known) =>
  fc.record({
    authorization: fc.option(authorization(known), { nil: undefined }),
    dpop: fc.option(dpopHeader(known), { nil: undefined }),
  });

/** Assembles a request from its parts, leaving out the headers that are undefined. */
export function rawRequest(parts: {
  method: string;
  path: string;
  query?: string | undefined;
  headers: Record<string, string | undefined>;
  body?: string | Buffer | undefined;
}): RawRequest {
  const headers: Record<string, string> = {};
  for (const [key, v] of Object.entries(parts.headers)) if (v !== undefined) headers[key] = v;
  const raw: RawRequest = {
    method: parts.method,
    target: parts.query ? `${parts.path}?${parts.query}` : parts.path,
    headers,
    body: parts.body,
  };
  // fast-check prints a counterexample with this: one line, not a 100 KB body.
  return Object.assign(raw, { [fc.toStringMethod]: () => describeRequest(raw) });
}

/** The target's path, now and then bent: a trailing slash, capitals, a double slash, junk. */
export const pathOf = (target: Target) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(target.path) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `${target.path}/`,
        target.path.toUpperCase(),
        `/${target.path}`,
        `${target.path}%zz`,
        `${target.path}/%C3%28`,
        `${target.path};x`,
        `${target.path}%00`,
      ),
    },
  );
