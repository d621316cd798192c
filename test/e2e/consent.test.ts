import type * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { Browser, findForm, type Page } from '../support/browser.ts';
import {
  authorizationRequest,
  CONSENT_FORM,
  discover,
  LOGIN_FORM,
  REDIRECT_URI,
} from '../support/flow.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const ABORT_FORM = /\/interaction\/[^/]+\/abort$/;

describe.each(serverBackends)('the consent page on $name storage', (backend) => {
  let server: TestServer;
  let user: { id: string; email: string; password: string };

  beforeAll(async () => {
    server = await startTestServer(backend);
    user = await server.createUser();
  });
  afterAll(() => server?.close());

  async function clientNamed(name: string): Promise<oidc.Configuration> {
    const { clientId, clientSecret } = await server.createClient({ name });
    return discover(server, clientId, clientSecret);
  }

  /** Signs in and stops on the consent page. */
  async function openConsentPage(config: oidc.Configuration, parameters: Record<string, string>) {
    const browser = new Browser([REDIRECT_URI]);
    const request = await authorizationRequest(config, parameters);
    const loginPage = await browser.get(request.url.toString());
    const page: Page = await browser.submit(loginPage, LOGIN_FORM, {
      email: user.email,
      password: user.password,
    });
    if (!findForm(page.body, CONSENT_FORM)) throw new Error(`no consent form at ${page.url}`);
    return { browser, page, state: request.state };
  }

  it('names the client and describes each requested scope in plain words', async () => {
    const config = await clientNamed('Acme Reader');

    const { page } = await openConsentPage(config, { scope: 'openid email profile' });

    expect(page.status).toBe(200);
    expect(page.body).toContain('Acme Reader</span> wants to access your account');
    expect(page.body).toContain(user.email);
    expect(page.body).toContain('Know who you are when you sign in');
    expect(page.body).toContain('See your email address and whether it is verified');
    expect(page.body).toContain('See your name');
    expect(findForm(page.body, ABORT_FORM)).toBeDefined();
  });

  it('lists only the scopes requested', async () => {
    const config = await clientNamed('Acme Reader');

    const { page } = await openConsentPage(config, { scope: 'openid' });

    expect(page.body).toContain('Know who you are when you sign in');
    expect(page.body).not.toContain('See your email address');
    expect(page.body).not.toContain('See your name');
  });

  it('explains offline access instead of showing the raw scope name', async () => {
    const config = await clientNamed('Acme Reader');

    const { page } = await openConsentPage(config, {
      scope: 'openid offline_access',
      prompt: 'consent',
    });

    expect(page.body).toContain('Stays connected.');
    expect(page.body).not.toContain('offline_access');
  });

  it('escapes a client name that contains markup', async () => {
    const config = await clientNamed('<img src=x onerror=alert(1)>');

    const { page } = await openConsentPage(config, { scope: 'openid' });

    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('sends the person back to the client with access_denied when they deny', async () => {
    const config = await clientNamed('Acme Reader');
    const { browser, page, state } = await openConsentPage(config, { scope: 'openid email' });

    const denied = await browser.submit(page, ABORT_FORM);

    const back = new URL(denied.url);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe(state);
    expect(back.searchParams.get('code')).toBeNull();
  });
});
