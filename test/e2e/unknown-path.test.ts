import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/backends.ts';
import { Browser } from '../support/browser.ts';
import { expectFriendlyPage, expectNoInternals } from '../support/pages.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(sqlBackends)('unknown paths on $name storage', (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(() => server?.close());

  it('shows a browser a friendly 404 page', async () => {
    const page = await new Browser().get(`${server.issuer}/no/such/page`);

    expectFriendlyPage(page, 404);
    expect(page.body).toContain('Page not found');
  });

  it('answers a program with a 404 JSON error', async () => {
    const response = await fetch(`${server.issuer}/no/such/page`, {
      headers: { accept: 'application/json' },
    });

    expect(response.status).toBe(404);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: 'not_found', error_description: 'No such page.' });
    expectNoInternals(body);
  });

  it('answers an unknown step of an interaction with 404', async () => {
    const page = await new Browser().get(`${server.issuer}/interaction/some-uid/no-such-step`);

    expectFriendlyPage(page, 404);
  });

  it('answers a wrong method on an interaction step with a friendly 405 page', async () => {
    const page = await new Browser().get(`${server.issuer}/interaction/some-uid/login`);

    expectFriendlyPage(page, 405);
    expect(page.headers.get('allow')).toContain('POST');
  });
});
