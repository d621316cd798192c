import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { REDIRECT_URI } from '../support/flow.ts';
import { startTestServer, type TestClient, type TestServer } from '../support/server.ts';

/**
 * Browser apps call the token endpoint cross-origin: only the origins of the calling client's
 * registered redirect URIs get CORS headers (src/oidc/cors.ts), never `*`.
 */
describe.each(serverBackends)('CORS at the token endpoint on $name storage', (backend) => {
  let server: TestServer;
  let spa: TestClient;
  const EXTRA_ORIGIN = 'https://app.example';
  beforeAll(async () => {
    server = await startTestServer(backend);
    spa = await server.createClient({
      public: true,
      redirectUris: [REDIRECT_URI],
      allowedOrigins: [EXTRA_ORIGIN],
    });
  });
  afterAll(() => server?.close());

  const tokenRequest = (origin: string) =>
    fetch(`${server.issuer}/token`, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: 'not-a-token',
        client_id: spa.clientId,
      }),
    });

  it('allows the origin of a redirect URI the client registered', async () => {
    const response = await tokenRequest(new URL(REDIRECT_URI).origin);

    expect(response.headers.get('access-control-allow-origin')).toBe(new URL(REDIRECT_URI).origin);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('allows an extra origin registered for the client', async () => {
    const response = await tokenRequest(EXTRA_ORIGIN);

    expect(response.headers.get('access-control-allow-origin')).toBe(EXTRA_ORIGIN);
  });

  it('gives any other origin no CORS headers', async () => {
    const response = await tokenRequest('https://evil.example');

    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });
});
