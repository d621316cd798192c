import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/backends.ts';
import { launchChromium, RUN_BROWSER_TESTS } from '../support/chromium.ts';
import { authorizationRequest, discover } from '../support/flow.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const [embedded] = sqlBackends;

/**
 * The flow a person goes through, in a real Chromium: the pages must work under our CSP (no
 * inline script or style), with the stylesheet applied and the forms submitting.
 */
describe.skipIf(!RUN_BROWSER_TESTS)(
  'sign-in and sign-out in a real browser (needs Chromium)',
  () => {
    let server: TestServer;
    let config: oidc.Configuration;
    let user: { id: string; email: string; password: string };
    let chromium: Browser;
    let page: Page;
    const cspViolations: string[] = [];
    let idToken = '';

    let clientApp: Server;
    let redirectUri = '';
    let postLogoutUri = '';

    beforeAll(async () => {
      // The client application: a real server the browser is sent back to; it only says hello.
      clientApp = createServer((_req, res) => res.end('client app'));
      clientApp.listen(0, '127.0.0.1');
      await once(clientApp, 'listening');
      const { port } = clientApp.address() as AddressInfo;
      redirectUri = `http://localhost:${port}/cb`;
      postLogoutUri = `http://localhost:${port}/signed-out`;
      server = await startTestServer(embedded as NonNullable<typeof embedded>);
      user = await server.createUser({ name: 'Alice' });
      const client = await server.createClient({
        name: 'Acme Dashboard',
        redirectUris: [redirectUri],
        postLogoutRedirectUris: [postLogoutUri],
      });
      config = await discover(server, client.clientId, client.clientSecret);
      chromium = await launchChromium();
      page = await chromium.newPage();
      page.on('console', (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text()))
          cspViolations.push(message.text());
      });
    });
    afterAll(async () => {
      await chromium?.close();
      await server?.close();
      clientApp?.close();
    });

    it('logs in, consents and returns to the client with a code that redeems for tokens', async () => {
      const request = await authorizationRequest(config, { redirect_uri: redirectUri });
      await page.goto(request.url.toString());

      await expect(page.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);
      await expect(page.getByText('Acme Dashboard').isVisible()).resolves.toBe(true);
      const signInButton = page.getByRole('button', { name: 'Sign in' });
      // A function in source text: the test's TypeScript has no DOM types.
      const background = await signInButton.evaluate(
        '(button) => getComputedStyle(button).backgroundColor',
      );
      expect(background).not.toBe('rgba(0, 0, 0, 0)');

      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await signInButton.click();

      await page.getByRole('button', { name: 'Allow' }).waitFor();
      await expect(page.getByText('See your email address').isVisible()).resolves.toBe(true);
      await Promise.all([
        page.waitForURL((url) => url.toString().startsWith(redirectUri)),
        page.getByRole('button', { name: 'Allow' }).click(),
      ]);

      const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), {
        pkceCodeVerifier: request.codeVerifier,
        expectedState: request.state,
      });
      expect(tokens.claims()?.sub).toBe(user.id);
      idToken = String(tokens.id_token);
    });

    it('signs out through the confirmation page and returns to the post-logout URI', async () => {
      expect(idToken).not.toBe('');
      const logout = oidc.buildEndSessionUrl(config, {
        id_token_hint: idToken,
        post_logout_redirect_uri: postLogoutUri,
        state: 'bye',
      });
      await page.goto(logout.toString());
      await expect(page.getByRole('heading', { name: 'Sign out?' }).isVisible()).resolves.toBe(
        true,
      );
      await Promise.all([
        page.waitForURL((url) => url.toString().startsWith(postLogoutUri)),
        page.getByRole('button', { name: 'Yes, sign me out' }).click(),
      ]);
      expect(new URL(page.url()).searchParams.get('state')).toBe('bye');

      const again = await authorizationRequest(config, {
        redirect_uri: redirectUri,
        prompt: 'none',
      });
      await page.goto(again.url.toString());
      await page.waitForURL((url) => url.toString().startsWith(redirectUri));
      expect(new URL(page.url()).searchParams.get('error')).toBe('login_required');
    });

    it('shows a failed sign-in as a plain page with a way back to the app and the details folded', async () => {
      const request = await authorizationRequest(config, { redirect_uri: redirectUri });
      await page.goto(request.url.toString());
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      // A form whose CSRF token no longer holds, as after a very long wait.
      await page.evaluate("document.querySelector('input[name=csrf]').value = 'expired'");
      await page.getByLabel('Email').fill(user.email);
      await page.getByLabel('Password').fill(user.password);
      await page.getByRole('button', { name: 'Sign in' }).click();

      await page.getByRole('heading', { name: 'Something went wrong' }).waitFor();
      const back = page.getByRole('link', { name: 'Back to Acme Dashboard' });
      await expect(back.getAttribute('href')).resolves.toBe(new URL('/', redirectUri).href);
      const detail = page.getByText('the form expired; go back and try again');
      await expect(detail.isVisible()).resolves.toBe(false);
      await page.getByText('Technical details').click();
      await expect(detail.isVisible()).resolves.toBe(true);

      await Promise.all([
        page.waitForURL((url) => url.toString() === new URL('/', redirectUri).href),
        back.click(),
      ]);
      await expect(page.content()).resolves.toContain('client app');
    });

    it('raised no Content-Security-Policy violation on any page', () => {
      expect(cspViolations).toEqual([]);
    });
  },
);
