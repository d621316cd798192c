import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECURITY_HEADERS } from '../../src/http/security-headers.ts';
import {
  createStaticDocuments,
  JWKS_PATHS,
  type StaticDocuments,
} from '../../src/http/static-documents.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { sqlBackends } from '../support/backends.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const DOCUMENTS = ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server'];

/** Status, headers (but the date) and body: what must not change once a document is replayed. */
async function answer(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  const headers = Object.fromEntries([...response.headers].filter(([name]) => name !== 'date'));
  return { status: response.status, headers, body: await response.text() };
}

describe.each(sqlBackends)('discovery documents on $name storage', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.close());

  it.each(DOCUMENTS)('answers %s the same way every time, headers included', async (path) => {
    const first = await answer(`${server.issuer}${path}`);
    const again = await answer(`${server.issuer}${path}`);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toBeTypeOf('object');
    expect(again).toEqual(first);
  });

  it.each(DOCUMENTS)('allows %s to the Origin of each request', async (path) => {
    await answer(`${server.issuer}${path}`, { headers: { origin: 'https://a.example' } });
    const b = await answer(`${server.issuer}${path}`, { headers: { origin: 'https://b.example' } });
    const none = await answer(`${server.issuer}${path}`);
    expect(b.headers['access-control-allow-origin']).toBe('https://b.example');
    expect(b.headers.vary).toBe('Origin');
    expect(none.headers['access-control-allow-origin']).toBe('*');
  });

  it('offers the code flow with PKCE S256 only: no implicit flow, no password grant', async () => {
    const { body } = await answer(`${server.issuer}/.well-known/openid-configuration`);
    const metadata = JSON.parse(body);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect([...metadata.grant_types_supported].sort()).toEqual([
      'authorization_code',
      'client_credentials',
      'refresh_token',
    ]);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('still answers a CORS preflight for discovery as oidc-provider does', async () => {
    const preflight = await fetch(`${server.issuer}/.well-known/openid-configuration`, {
      method: 'OPTIONS',
      headers: { origin: 'https://a.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET');
  });

  it('answers HEAD with the headers and no body', async () => {
    const url = `${server.issuer}/.well-known/openid-configuration`;
    const get = await answer(url);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(get.headers['content-type']);
    expect(await head.text()).toBe('');
  });
});

describe.each(sqlBackends)('the JSON Web Key Set on $name storage', (backend) => {
  let server: TestServer;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line));
        done();
      },
    });
    server = await startTestServer(backend, {}, { logger: createLogger('info', destination) });
  });
  afterAll(() => server?.close());

  it.each(JWKS_PATHS)(
    'publishes the keys in force at %s, cacheable, to every origin',
    async (path) => {
      const response = await answer(`${server.issuer}${path}?ignored=1`, {
        headers: { origin: 'https://api.example' },
      });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({
        keys: server.portcullis.keys.current().publishedJwks,
      });
      expect(response.headers).toMatchObject({
        'content-type': 'application/jwk-set+json; charset=utf-8',
        'cache-control': `public, max-age=${server.config.keys.jwksMaxAgeSeconds}`,
        'access-control-allow-origin': '*',
        'content-length': String(Buffer.byteLength(response.body)),
      });
    },
  );

  it.each(['/jwks/', '/JWKS', '/.well-known/JWKS.json'])(
    'answers %s as the router it replaced did: case-insensitively, a trailing slash allowed',
    async (path) => {
      const response = await answer(`${server.issuer}${path}`);
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toEqual({
        keys: server.portcullis.keys.current().publishedJwks,
      });
      expect(response.headers['cache-control']).toBe(
        `public, max-age=${server.config.keys.jwksMaxAgeSeconds}`,
      );
    },
  );

  it('carries the security headers every response carries', async () => {
    const jwks = await answer(`${server.issuer}/jwks`);
    const health = await answer(`${server.issuer}/healthz`);
    for (const name of Object.keys(SECURITY_HEADERS).map((header) => header.toLowerCase())) {
      expect(jwks.headers[name]).toBeDefined();
      expect(jwks.headers[name]).toBe(health.headers[name]);
    }
  });

  it('answers HEAD with the headers and no body', async () => {
    const get = await answer(`${server.issuer}/jwks`);
    const head = await answer(`${server.issuer}/jwks`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    // Node closes the connection after a HEAD (Koa's answers do the same); the rest is the GET's.
    const { connection, 'keep-alive': _, ...headers } = get.headers;
    expect(head.headers).toMatchObject(headers);
  });

  it('logs every answer, like any request, without its query', async () => {
    lines.length = 0;
    await answer(`${server.issuer}/jwks?probe=1`);
    await answer(`${server.issuer}${DOCUMENTS[0]}`);
    await answer(`${server.issuer}${DOCUMENTS[0]}`);
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/jwks', status: 200 }),
      expect.objectContaining({ method: 'GET', path: DOCUMENTS[0], status: 200 }),
      expect.objectContaining({ method: 'GET', path: DOCUMENTS[0], status: 200 }),
    ]);
    expect(JSON.stringify(requests)).not.toContain('probe');
  });
});

/** A Koa app behind the static documents, as createHttpApp composes them. */
async function serveBehindDocuments(provider: () => object, handler: Koa.Middleware) {
  let documents: StaticDocuments | undefined;
  const app = new Koa();
  app.use((ctx, next) => (documents as StaticDocuments).capture(ctx, next));
  app.use(handler);
  const koa = app.callback();
  const server = createServer((req, res) => {
    if (!documents?.answer(req, res)) koa(req, res);
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  documents = createStaticDocuments({
    issuer: origin,
    provider,
    jwks: () => [],
    jwksMaxAgeSeconds: 60,
    logger: createLogger('silent'),
  });
  const url = `${origin}/.well-known/openid-configuration`;
  return { url, close: () => server.close() };
}

describe('discovery when the Provider is replaced', () => {
  it('answers the document of the Provider in force, not the one it kept', async () => {
    let current = { version: 1 };
    const { url, close } = await serveBehindDocuments(
      () => current,
      (ctx) => {
        ctx.body = { version: current.version };
      },
    );
    try {
      expect(await (await fetch(url)).json()).toEqual({ version: 1 });
      current.version = 99; // a kept document does not follow later changes of the same Provider
      expect(await (await fetch(url)).json()).toEqual({ version: 1 });
      current = { version: 2 };
      expect(await (await fetch(url)).json()).toEqual({ version: 2 });
    } finally {
      close();
    }
  });

  it('keeps nothing but a 200 JSON answer', async () => {
    let status = 503;
    const provider = {};
    const { url, close } = await serveBehindDocuments(
      () => provider,
      (ctx) => {
        ctx.status = status;
        ctx.body = { status };
      },
    );
    try {
      expect((await fetch(url)).status).toBe(503);
      status = 200;
      expect((await fetch(url)).status).toBe(200);
      status = 500;
      expect((await fetch(url)).status).toBe(200);
    } finally {
      close();
    }
  });
});
