import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/backends.ts';
import { Browser } from '../support/browser.ts';
import { expectNoInternals } from '../support/pages.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(sqlBackends)('the home page on $name storage', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.close());

  it('says what this server is, with links to discovery and the signing keys that work', async () => {
    const page = await new Browser().get(`${server.issuer}/`);

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.body).toContain('<h1>Sign-in service</h1>');
    expect(page.body).toContain(server.issuer);
    expectNoInternals(page.body);
    const links = [...page.body.matchAll(/<a href="([^"]+)"/g)].map((match) => match[1]);
    expect(links).toEqual([
      `${server.issuer}/.well-known/openid-configuration`,
      `${server.issuer}/jwks`,
    ]);
    const [discovery, jwks] = await Promise.all(
      links.map(async (link) => (await fetch(String(link))).json()),
    );
    expect((discovery as { issuer: string }).issuer).toBe(server.issuer);
    expect((jwks as { keys: unknown[] }).keys.length).toBeGreaterThan(0);
  });
});
