import { type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/backends.ts';
import { REDIRECT_URI } from '../support/flow.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const PUBLIC_ISSUER = 'https://login.example.test';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A GET to the server's real port with the headers a TLS-terminating proxy adds. node:http, not
 * fetch, because fetch does not let the caller set Host.
 */
function getThroughProxy(
  server: TestServer,
  path: string,
  headers: Record<string, string>,
): Promise<RawResponse> {
  const { port } = server.portcullis.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function authorizePath(server: TestServer): Promise<string> {
  const { clientId } = await server.createClient();
  const params = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  return `/auth?${params}`;
}

function cookiesOf(response: RawResponse): string[] {
  const setCookie = response.headers['set-cookie'] ?? [];
  expect(setCookie.length).toBeGreaterThan(0);
  return setCookie;
}

describe.each(sqlBackends)('behind a TLS-terminating proxy on $name storage', (backend) => {
  let proxied: TestServer;
  let direct: TestServer;

  beforeAll(async () => {
    proxied = await startTestServer(backend, { issuer: PUBLIC_ISSUER, trustProxy: true });
    direct = await startTestServer(backend);
  });
  afterAll(async () => {
    await proxied?.close();
    await direct?.close();
  });

  it('publishes https endpoints under the public issuer in discovery', async () => {
    const response = await getThroughProxy(proxied, '/.well-known/openid-configuration', {
      host: 'login.example.test',
      'x-forwarded-proto': 'https',
    });

    expect(response.status).toBe(200);
    const metadata = JSON.parse(response.body) as Record<string, unknown>;
    expect(metadata.issuer).toBe(PUBLIC_ISSUER);
    const endpoints = Object.entries(metadata).filter(
      ([key]) => key.endsWith('_endpoint') || key === 'jwks_uri',
    );
    expect(endpoints.length).toBeGreaterThanOrEqual(6);
    for (const [key, value] of endpoints) {
      expect(new URL(String(value)).origin, key).toBe(PUBLIC_ISSUER);
    }
  });

  it('keeps discovery on the issuer host whatever Host or X-Forwarded-Host a request claims', async () => {
    const spoofs: Array<Record<string, string>> = [
      { host: 'attacker.example', 'x-forwarded-proto': 'https' },
      {
        host: 'login.example.test',
        'x-forwarded-host': 'attacker.example',
        'x-forwarded-proto': 'https',
      },
    ];
    for (const headers of spoofs) {
      const response = await getThroughProxy(proxied, '/.well-known/openid-configuration', headers);
      expect(response.status).toBe(200);
      expect(response.body).not.toContain('attacker.example');
      const metadata = JSON.parse(response.body) as Record<string, unknown>;
      expect(new URL(String(metadata.token_endpoint)).origin).toBe(PUBLIC_ISSUER);
    }
  });

  it('sets Secure cookies and HSTS on an authorization request forwarded as https', async () => {
    const response = await getThroughProxy(proxied, await authorizePath(proxied), {
      host: 'login.example.test',
      'x-forwarded-proto': 'https',
    });

    expect(response.status).toBe(303);
    for (const cookie of cookiesOf(response)) expect(cookie).toMatch(/;\s*secure(;|$)/i);
    expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
  });

  it('publishes https endpoints even when the first discovery request came over plain http', async () => {
    const fresh = await startTestServer(backend, { issuer: PUBLIC_ISSUER, trustProxy: true });
    try {
      const path = '/.well-known/openid-configuration';
      await getThroughProxy(fresh, path, { host: 'login.example.test' });
      const https = { host: 'login.example.test', 'x-forwarded-proto': 'https' };
      for (const headers of [https, https, { host: 'login.example.test' }]) {
        const metadata = JSON.parse((await getThroughProxy(fresh, path, headers)).body);
        expect(new URL(String(metadata.token_endpoint)).origin).toBe(PUBLIC_ISSUER);
      }
    } finally {
      await fresh.close();
    }
  });

  it('sets HSTS on JWKS and discovery of an https issuer, also when answered from memory', async () => {
    const https = { host: 'login.example.test', 'x-forwarded-proto': 'HTTPS' };
    for (const path of ['/jwks', '/.well-known/openid-configuration']) {
      // The issuer's scheme decides, not X-Forwarded-Proto: HSTS on every answer, with or without.
      for (const headers of [https, https, {}]) {
        const response = await getThroughProxy(proxied, path, headers);
        expect(response.status).toBe(200);
        expect(response.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      }
      const httpIssuer = await getThroughProxy(direct, path, https);
      expect(httpIssuer.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('takes https from an https issuer without a trusted proxy: endpoints, Secure cookies, HSTS', async () => {
    const untrusting = await startTestServer(backend, { issuer: PUBLIC_ISSUER, trustProxy: false });
    try {
      const plain = { host: 'login.example.test' };
      for (let i = 0; i < 2; i += 1) {
        const discovery = await getThroughProxy(
          untrusting,
          '/.well-known/openid-configuration',
          plain,
        );
        const metadata = JSON.parse(discovery.body) as Record<string, unknown>;
        const endpoints = Object.entries(metadata).filter(
          ([key]) => key.endsWith('_endpoint') || key === 'jwks_uri',
        );
        expect(endpoints.length).toBeGreaterThanOrEqual(6);
        for (const [key, value] of endpoints) expect(String(value), key).toMatch(/^https:\/\//);
        expect(discovery.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      }

      const authorize = await getThroughProxy(untrusting, await authorizePath(untrusting), plain);
      expect(authorize.status).toBe(303);
      expect(authorize.headers.location).not.toMatch(/^http:/);
      for (const cookie of cookiesOf(authorize)) expect(cookie).toMatch(/;\s*secure(;|$)/i);
      expect(authorize.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    } finally {
      await untrusting.close();
    }
  });

  it('sets cookies without Secure, and no HSTS, on plain http without a trusted proxy', async () => {
    const response = await getThroughProxy(direct, await authorizePath(direct), {});

    expect(response.status).toBe(303);
    for (const cookie of cookiesOf(response)) expect(cookie).not.toMatch(/;\s*secure(;|$)/i);
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('ignores X-Forwarded-Proto when the proxy is not trusted', async () => {
    const response = await getThroughProxy(direct, await authorizePath(direct), {
      'x-forwarded-proto': 'https',
    });

    expect(response.status).toBe(303);
    for (const cookie of cookiesOf(response)) expect(cookie).not.toMatch(/;\s*secure(;|$)/i);
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });
});
