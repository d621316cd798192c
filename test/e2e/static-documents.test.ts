import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticDocuments } from '../../src/http/static-documents.ts';
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

describe('static documents when the Provider is replaced', () => {
  it('answers the document of the Provider in force, not the one it kept', async () => {
    let current = { version: 1 };
    const app = new Koa();
    app.use(staticDocuments(() => current));
    app.use((ctx) => {
      ctx.body = { version: current.version };
    });
    const server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/openid-configuration`;
    try {
      expect(await (await fetch(url)).json()).toEqual({ version: 1 });
      current.version = 99; // a kept document does not follow later changes of the same Provider
      expect(await (await fetch(url)).json()).toEqual({ version: 1 });
      current = { version: 2 };
      expect(await (await fetch(url)).json()).toEqual({ version: 2 });
    } finally {
      server.close();
    }
  });

  it('keeps nothing but a 200 JSON answer', async () => {
    let status = 503;
    const app = new Koa();
    const provider = {};
    app.use(staticDocuments(() => provider));
    app.use((ctx) => {
      ctx.status = status;
      ctx.body = { status };
    });
    const server = createServer(app.callback()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/openid-configuration`;
    try {
      expect((await fetch(url)).status).toBe(503);
      status = 200;
      expect((await fetch(url)).status).toBe(200);
    } finally {
      server.close();
    }
  });
});
