import { METHODS as METHODS_NODE_KNOWS, maxHeaderSize } from 'node:http';
import { expect } from 'vitest';
import { DISCOVERY_PATHS } from '../../src/http/static-documents.ts';
import type { SqlBackend } from './backends.ts';
import { Browser, findForm } from './browser.ts';
import { authorizationRequest, discover, REDIRECT_URI, signInForTokens } from './flow.ts';
import type { Target } from './malformed-requests.ts';
import type { Known } from './malformed-values.ts';
import { expectNoInternals } from './pages.ts';
import { describeRequest, type RawRequest, type RawResponse, sendRaw } from './raw-http.ts';
import { startTestServer, type TestServer } from './server.ts';

/** A server to sweep, with what a real client and a real browser of it hold. */
export interface Sweep {
  server: TestServer;
  known: Known;
  targets: Target[];
  /** The cookies of an interaction in progress, so that its pages get past "no such session". */
  interactionCookie: string;
  /** The cookies of a signed-in browser, so that logout and authorize see a session. */
  sessionCookie: string;
  /** The login form of that interaction: where it posts and its CSRF token. */
  login: { path: string; csrf: string };
}

/** A server with a client, a user signed in, and an interaction waiting at its login page. */
export async function startSweep(backend: SqlBackend): Promise<Sweep> {
  const server = await startTestServer(backend);
  const user = await server.createUser();
  const client = await server.createClient({
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    postLogoutRedirectUris: ['http://localhost:8080/bye'],
  });
  const config = await discover(server, client.clientId, client.clientSecret);
  const signedIn = await signInForTokens(config, user);
  const browser = new Browser([REDIRECT_URI]);
  const page = await browser.get((await authorizationRequest(config)).url.toString());
  const form = findForm(page.body, /\/login$/);
  const uid = new URL(page.url).pathname.split('/')[2];
  if (!form?.inputs.csrf || !uid) throw new Error(`no login form at ${page.url}`);
  return {
    server,
    known: {
      issuer: server.issuer,
      clientId: client.clientId,
      clientSecret: String(client.clientSecret),
      redirectUri: REDIRECT_URI,
      accessToken: signedIn.tokens.access_token,
      refreshToken: String(signedIn.tokens.refresh_token),
      idToken: String(signedIn.tokens.id_token),
    },
    targets: await targetsOf(server.issuer, uid),
    interactionCookie: cookiesOf(browser),
    sessionCookie: cookiesOf(signedIn.browser),
    login: { path: new URL(form.action, page.url).pathname, csrf: form.inputs.csrf },
  };
}

const cookiesOf = (browser: Browser) =>
  [...browser.cookies.values()].map((c) => `${c.name}=${c.value}`).join('; ');

/**
 * Every endpoint discovery names; the pages people are sent to (an interaction's, its resume
 * address, the logout confirmation, /); and the documents.
 */
async function targetsOf(issuer: string, uid: string): Promise<Target[]> {
  const discovery = JSON.parse(
    (await sendRaw(issuer, { method: 'GET', target: DISCOVERY_PATHS[0], headers: {} })).body,
  ) as Record<string, unknown>;
  const pathOf = (url: unknown) => new URL(String(url)).pathname;
  const endpoints = Object.entries(discovery)
    .filter(([key]) => key.endsWith('_endpoint'))
    .map(([, url]): Target => ({ path: pathOf(url), kind: 'protocol' }));
  const pages = [
    ...['', '/login', '/confirm', '/abort'].map((step) => `/interaction/${uid}${step}`),
    `/auth/${uid}`,
    '/session/end/confirm',
    '/',
  ];
  const documents = [...DISCOVERY_PATHS, pathOf(discovery.jwks_uri), '/.well-known/jwks.json'];
  return [
    ...endpoints,
    ...pages.map((path): Target => ({ path, kind: 'page' })),
    ...[...documents, '/healthz', '/readyz'].map((path): Target => ({ path, kind: 'document' })),
  ];
}

/**
 * Sends the request and holds the answer to what every answer to bad input must be: no 5xx,
 * nothing internal, the security headers, and OAuth error JSON for a program that asked for
 * JSON anywhere but on the pages of an interaction (which answer people, e.g. a login form
 * shown again with its error).
 */
export async function expectSafeAnswer(issuer: string, raw: RawRequest): Promise<RawResponse> {
  const response = await sendRaw(issuer, raw);
  const context = `${describeRequest(raw)} answered ${response.status} ${response.body.slice(0, 300)}`;
  expect(response.status, context).toBeLessThan(500);
  expectNoInternals(`${JSON.stringify(response.headers)}\n${response.body}`);
  expect(response.headers['x-content-type-options'], context).toBe('nosniff');
  const wantsJson = raw.headers.accept === 'application/json' && raw.method !== 'HEAD';
  if (wantsJson && response.status >= 400 && !raw.target.startsWith('/interaction/')) {
    expect(response.headers['content-type'], context).toMatch(/^application\/json/);
    expect(JSON.parse(response.body), context).toMatchObject({ error: expect.any(String) });
  }
  return response;
}

/**
 * As expectSafeAnswer, for a request Node's parser may refuse (a head over its limit, an
 * unknown method): the server answers 400 or 431 and closes at once, as Node's own handler
 * would, and a client still sending its head or body may see the connection reset before it
 * reads that answer.
 */
export async function expectSafeAnswerOrReset(issuer: string, raw: RawRequest): Promise<void> {
  try {
    await expectSafeAnswer(issuer, raw);
  } catch (error) {
    const reset = ['ECONNRESET', 'EPIPE'].includes(String((error as { code?: unknown }).code));
    const refused =
      headSize(raw) > maxHeaderSize || (!METHODS_NODE_KNOWS.includes(raw.method) && !!raw.body);
    if (!(reset && refused)) throw error;
  }
}

/** The size of the request line and headers, as Node's parser counts them against its limit. */
function headSize(raw: RawRequest): number {
  const lines = Object.entries(raw.headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return Buffer.byteLength(`${raw.method} ${raw.target} HTTP/1.1\r\n${lines.join('')}`);
}
