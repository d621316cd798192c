import { maxHeaderSize } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCOVERY_PATHS } from '../../src/http/static-documents.ts';
import { serverBackends } from '../support/backends.ts';
import { jwtRequest } from '../support/jwt-places.ts';
import * as arb from '../support/malformed-requests.ts';
import { describeRequest, type RawRequest } from '../support/raw-http.ts';
import {
  expectSafeAnswer,
  expectSafeAnswerOrReset,
  type Sweep,
  startSweep,
} from '../support/sweep.ts';

// A fixed seed: a failure prints it with the path to its counterexample, and replays with them.
// SWEEP_SEED=<n> (and SWEEP_RUNS=<n>) explore further.
const options = {
  seed: Number(process.env.SWEEP_SEED ?? 14_032_025),
  numRuns: Number(process.env.SWEEP_RUNS ?? 50),
  plugins: [fc.interruptAfterTimeLimit(40_000, { failOnInterrupt: true })],
};
const FORM = 'application/x-www-form-urlencoded';

describe.each(serverBackends)('malformed input on $name storage', (backend) => {
  let sweep: Sweep;

  beforeAll(async () => {
    sweep = await startSweep(backend);
  });
  afterAll(() => sweep?.server.close());

  const safe = (raw: RawRequest) => expectSafeAnswer(sweep.server.issuer, raw);
  const safeOrReset = (raw: RawRequest) => expectSafeAnswerOrReset(sweep.server.issuer, raw);
  const formOf = (pairs: Array<[string, string]>) => pairs.map((p) => p.join('=')).join('&');

  it('collects every endpoint of discovery, the pages and the documents', () => {
    const paths = sweep.targets.map((target) => target.path);

    for (const endpoint of ['/auth', '/token', '/me', '/token/introspection', '/session/end']) {
      expect(paths).toContain(endpoint);
    }
    expect(paths).toEqual(expect.arrayContaining(['/', '/jwks', ...DISCOVERY_PATHS]));
    expect(paths.filter((path) => path.startsWith('/interaction/'))).toHaveLength(4);
  });

  it('answers any method, query, body and content type on every address with no 5xx', async () => {
    const { known } = sweep;
    const request = fc
      .constantFrom(...sweep.targets)
      .chain((target) =>
        fc.record({
          method: arb.method,
          path: arb.pathOf(target),
          query: arb.query(known),
          body: arb.body(known),
          contentType: arb.contentType,
          contentEncoding: arb.contentEncoding,
          accept: arb.accept,
          credentials: fc.option(arb.credentials(known), { nil: undefined }),
        }),
      )
      .map(({ contentType, contentEncoding, accept, credentials, ...r }) =>
        arb.rawRequest({
          ...r,
          headers: {
            'content-type': contentType,
            'content-encoding': contentEncoding,
            accept,
            ...credentials,
          },
        }),
      );
    await fc.assert(fc.asyncProperty(request, safeOrReset), options);
  });

  it('answers garbage Authorization, DPoP and cookie headers with no 5xx', async () => {
    const { known, interactionCookie, sessionCookie } = sweep;
    const request = fc
      .record({
        target: fc.constantFrom(...sweep.targets.filter((t) => t.kind !== 'document')),
        method: fc.constantFrom('GET', 'POST'),
        form: arb.parameters(known).map(formOf),
        credentials: arb.credentials(known),
        cookie: fc.oneof(arb.cookie, fc.constantFrom(interactionCookie, sessionCookie)),
        accept: arb.accept,
      })
      .map(({ target, form, credentials, ...r }) =>
        arb.rawRequest({
          ...r,
          path: target.path,
          query: r.method === 'GET' ? form : undefined,
          body: r.method === 'POST' ? form : undefined,
          headers: { 'content-type': FORM, accept: r.accept, cookie: r.cookie, ...credentials },
        }),
      );
    await fc.assert(fc.asyncProperty(request, safeOrReset), options);
  });

  it('answers a login form with its CSRF token and any other fields with no 5xx', async () => {
    const { login, interactionCookie } = sweep;
    const request = fc
      .record({
        csrf: fc.constantFrom(1, 1, 1, 2, 0),
        form: arb.parameters(sweep.known),
        contentType: arb.contentType,
        accept: arb.accept,
      })
      .map(({ csrf, form, contentType, accept }) => {
        const token = `csrf=${encodeURIComponent(login.csrf)}`;
        return arb.rawRequest({
          method: 'POST',
          path: login.path,
          body: [...Array.from({ length: csrf }, () => token), formOf(form)].join('&'),
          headers: { 'content-type': contentType, accept, cookie: interactionCookie },
        });
      });
    await fc.assert(fc.asyncProperty(request, safeOrReset), options);
  });

  it('refuses an invalid JWT wherever a JWT is taken, with no 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(jwtRequest(sweep.known), async ({ raw, outcome }) => {
        const response = await safe(raw);
        const context = `${describeRequest(raw)} answered ${response.status} ${response.body}`;
        if (outcome === 'inactive' && response.status === 200) {
          expect(JSON.parse(response.body), context).toEqual({ active: false });
        } else if (outcome === 'refused' && response.status < 400) {
          // Sent back to the client: with an error, never with a code.
          expect(response.status, context).toBeGreaterThanOrEqual(300);
          const location = new URL(String(response.headers.location), sweep.server.issuer);
          expect(location.searchParams.get('error'), context).toBeTruthy();
        } else if (outcome !== 'ignored' || response.status !== 200) {
          expect(response.status, context).toBeGreaterThanOrEqual(400);
        }
      }),
      options,
    );
  });

  it('answers every method on every address with no 5xx', async () => {
    for (const { path } of sweep.targets) {
      for (const method of arb.METHODS) {
        await safe({ method, target: path, headers: { accept: 'application/json' } });
      }
    }
  });

  // What the sweep found and src/http now fixes, each pinned by requests of its own.

  it('answers TRACE and other methods no address takes with 405 and Allow, not 501', async () => {
    const server = 'GET, HEAD, POST, OPTIONS';
    for (const [path, allow] of [
      ['/', server],
      ['/token', server],
      ['/jwks', server],
      [sweep.login.path, 'POST'],
    ] as const) {
      for (const method of ['TRACE', 'PROPFIND']) {
        const response = await safe({
          method,
          target: path,
          headers: { accept: 'application/json' },
        });

        expect(response.status).toBe(405);
        expect(response.headers.allow).toBe(allow);
        expect(JSON.parse(response.body)).toEqual({
          error: 'invalid_request',
          error_description: `This address accepts ${allow} only.`,
        });
      }
    }
  });

  it('answers a login form whose Content-Encoding does not inflate with 400, not 500', async () => {
    for (const encoding of ['gzip', 'deflate']) {
      const response = await safe({
        method: 'POST',
        target: sweep.login.path,
        headers: {
          'content-type': FORM,
          'content-encoding': encoding,
          accept: 'application/json',
          cookie: sweep.interactionCookie,
        },
        body: `csrf=${encodeURIComponent(sweep.login.csrf)}&email=a%40example.com&password=x`,
      });

      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({
        error: 'invalid_request',
        error_description: 'The form could not be read.',
      });
    }
  });

  it('answers a program that asks /auth for JSON with an OAuth error, a browser with a page', async () => {
    const target = '/auth?client_id=no-such-client&response_type=code&scope=openid';
    const program = await safe({ method: 'GET', target, headers: { accept: 'application/json' } });
    const browser = await safe({
      method: 'GET',
      target,
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });

    expect(program.status).toBe(400);
    expect(JSON.parse(program.body)).toMatchObject({ error: 'invalid_client' });
    expect(browser.status).toBe(400);
    expect(browser.headers['content-type']).toMatch(/^text\/html/);
  });

  // Refused by Node's HTTP parser before the app runs, and answered by the server's clientError
  // handler (src/http/client-error.ts) as every other error is; test/e2e/parser-refusals.test.ts
  // sends such requests over a raw socket.

  it('answers a method Node does not know (FOO) with 400 and an OAuth error', async () => {
    const response = await safe({ method: 'FOO', target: '/token', headers: {} });

    expect(response.status).toBe(400);
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_request' });
  });

  it('answers a request head over its limit with 431 and an OAuth error', async () => {
    const target = `/auth?state=${'a'.repeat(maxHeaderSize)}`;
    const response = await safe({ method: 'GET', target, headers: {} });

    expect(response.status).toBe(431);
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.body)).toMatchObject({ error: 'invalid_request' });
  });

  // SQL storage holds no NUL, neither in a text column (a client_id, an email, a token id looked
  // up) nor in a jsonb payload (an interaction's state, a logout's state): lookups by such a value
  // answer "not found" without a statement, and a payload holding one is refused as bad input
  // (src/storage/nul.ts). '%00' is also among the sweep's values (brokenEncoding).
  it('answers a NUL (%00) in a parameter with a 4xx, not 500', async () => {
    const { known, login } = sweep;
    const json = { 'content-type': FORM, accept: 'application/json' };
    const basic = `Basic ${Buffer.from(`${known.clientId}:${known.clientSecret}`).toString('base64')}`;
    const authorize = new URLSearchParams({
      client_id: known.clientId,
      response_type: 'code',
      redirect_uri: known.redirectUri,
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    });
    const requests: RawRequest[] = [
      { method: 'GET', target: `/auth?${authorize}&state=%00`, headers: { accept: 'text/html' } },
      { method: 'GET', target: '/session/end?client_id=%00', headers: {} },
      {
        method: 'GET',
        target: `/session/end?client_id=${known.clientId}&state=%00`,
        headers: { accept: 'text/html', cookie: sweep.sessionCookie },
      },
      {
        method: 'POST',
        target: '/token',
        headers: { ...json, authorization: basic },
        body: 'grant_type=refresh_token&refresh_token=%00',
      },
      {
        method: 'POST',
        target: '/token',
        headers: { ...json, authorization: basic },
        body: `grant_type=authorization_code&code=a%00b&redirect_uri=${encodeURIComponent(known.redirectUri)}&code_verifier=${'v'.repeat(43)}`,
      },
      {
        method: 'POST',
        target: '/token',
        headers: json,
        body: 'grant_type=client_credentials&client_id=%00&client_secret=x',
      },
      {
        method: 'POST',
        target: '/token/introspection',
        headers: { ...json, authorization: basic },
        body: 'token=%00',
      },
      { method: 'POST', target: '/me', headers: json, body: 'access_token=%00' },
      {
        method: 'POST',
        target: login.path,
        headers: { ...json, cookie: sweep.interactionCookie },
        body: `csrf=${encodeURIComponent(login.csrf)}&email=%00&password=x`,
      },
    ];
    const answers: string[] = [];
    for (const raw of requests) {
      const response = await safe(raw);
      // Refused as bad input: a 4xx, or sent back to the client with an error (never a code);
      // a token to introspect is inactive.
      const location = new URL(String(response.headers.location ?? '/'), sweep.server.issuer);
      const redirected = response.status >= 300 && response.status < 400;
      const inactive = response.status === 200 && response.body === '{"active":false}';
      const outcome = redirected
        ? location.searchParams.get('error')
        : inactive
          ? 'inactive'
          : response.status;
      answers.push(`${outcome} ${describeRequest(raw)}`);
    }
    for (const answer of answers) expect(answer).toMatch(/^(4\d\d|invalid_request|inactive) /);
    // A NUL for an email at the login form is a wrong password, as any unknown address is.
    expect(answers.at(-1)).toMatch(/^401 /);
  });
});
