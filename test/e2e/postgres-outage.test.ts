import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqlBackend, sqlBackends, type TestDatabase } from '../support/backends.ts';
import { requestClientCredentials } from '../support/flow.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const postgres = sqlBackends.find((backend) => backend.name === 'postgres');

describe.skipIf(!postgres)('Postgres going away and coming back (needs TEST_DATABASE_URL)', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let server: TestServer;
  let service: { clientId: string; clientSecret?: string };

  const clientCredentials = () => requestClientCredentials(server, service);

  beforeAll(async () => {
    const backend = postgres as SqlBackend;
    database = await backend.create();
    const target = new URL(String(database.url));
    proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(target);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    // The server reaches its database through the proxy; the test cuts and restores it.
    server = await startTestServer({
      ...backend,
      create: async () => ({ ...database, url: viaProxy.toString() }),
    });
    service = await server.createClient({
      name: 'Service',
      grantTypes: ['client_credentials'],
      redirectUris: [],
    });
  });
  afterAll(async () => {
    await proxy?.restore().catch(() => {});
    await server?.close();
    await proxy?.close();
  });

  it('answers 503 temporarily_unavailable while Postgres is unreachable, then recovers', async () => {
    expect((await clientCredentials()).status).toBe(200);

    await proxy.cut();
    const refused = await clientCredentials();
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: 'temporarily_unavailable' });
    const readiness = await fetch(new URL('/readyz', server.issuer));
    expect(readiness.status).toBe(503);
    expect(await readiness.json()).toMatchObject({ checks: { database: 'unavailable' } });
    const authorize = new URL('/auth', server.issuer);
    authorize.search = new URLSearchParams({
      client_id: service.clientId,
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'http://localhost:8080/cb',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const page = await fetch(authorize, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(503);
    const html = await page.text();
    expect(html).toContain('temporarily unavailable');
    expect(html).not.toMatch(/\bat .+\.ts:\d+/);

    await proxy.restore();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
      status = (await clientCredentials()).status;
      if (status !== 200) await sleep(100);
    }
    expect(status).toBe(200);
  });
});
