import type * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { Browser, findForm, type Page } from '../support/browser.ts';
import { authorizationRequest, LOGIN_FORM, REDIRECT_URI } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import { expectFriendlyPage, expectNoInternals } from '../support/pages.ts';
import type { TestServer, TestUser } from '../support/server.ts';

describe.each(serverBackends)('login page errors on $name storage', (backend) => {
  let server: TestServer;
  let config: oidc.Configuration;
  let user: TestUser;

  beforeAll(async () => {
    ({ server, user, config } = await startFlowFixture(backend));
  });
  afterAll(() => server?.close());

  /** A browser showing the login page of a fresh authorization request. */
  async function openLoginPage(): Promise<{ browser: Browser; page: Page; action: string }> {
    const browser = new Browser([REDIRECT_URI]);
    const { url } = await authorizationRequest(config);
    const page = await browser.get(url.toString());
    const form = findForm(page.body, LOGIN_FORM);
    if (!form) throw new Error(`no login form at ${page.url} (${page.status})`);
    return { browser, page, action: new URL(form.action, page.url).toString() };
  }

  it('re-renders the login page with 401 and an error message for a wrong password', async () => {
    const { browser, page } = await openLoginPage();

    const retry = await browser.submit(page, LOGIN_FORM, {
      email: user.email,
      password: 'not the password',
    });

    expect(retry.status).toBe(401);
    expect(retry.body).toContain('Incorrect email or password.');
    expect(findForm(retry.body, LOGIN_FORM)).toBeDefined();
    expect(retry.body).not.toContain('not the password');
    expectNoInternals(retry.body);
  });

  it('answers an unknown email exactly like a wrong password (no user enumeration)', async () => {
    const { browser, page } = await openLoginPage();
    const unknown = 'nobody-here@example.com';

    const wrongPassword = await browser.submit(page, LOGIN_FORM, {
      email: user.email,
      password: 'not the password',
    });
    const unknownEmail = await browser.submit(page, LOGIN_FORM, {
      email: unknown,
      password: 'not the password',
    });

    expect(unknownEmail.status).toBe(wrongPassword.status);
    // The only difference allowed is the email echoed back into the form.
    expect(unknownEmail.body.replaceAll(unknown, 'EMAIL')).toBe(
      wrongPassword.body.replaceAll(user.email, 'EMAIL'),
    );
  });

  it('still signs in with the right password after a failed attempt', async () => {
    const { browser, page } = await openLoginPage();
    const failed = await browser.submit(page, LOGIN_FORM, {
      email: user.email,
      password: 'not the password',
    });

    const next = await browser.submit(failed, LOGIN_FORM, {
      email: user.email,
      password: user.password,
    });

    expect(next.status).toBe(200);
    expect(next.body).toContain('wants to access your account');
  });

  it('refuses a login post without a CSRF token with a 403 page', async () => {
    const { browser, action } = await openLoginPage();

    const page = await browser.post(action, { email: user.email, password: user.password });

    expectFriendlyPage(page, 403);
    expect(page.body).toContain('the form expired; go back and try again');
  });

  it('refuses a login post with a wrong CSRF token with a 403 page', async () => {
    const { browser, page: loginPage } = await openLoginPage();

    const page = await browser.submit(loginPage, LOGIN_FORM, {
      csrf: 'forged-token',
      email: user.email,
      password: user.password,
    });

    expectFriendlyPage(page, 403);
  });

  it('refuses the CSRF token of another interaction', async () => {
    const first = await openLoginPage();
    const second = await openLoginPage();
    const otherToken = findForm(first.page.body, LOGIN_FORM)?.inputs.csrf ?? '';

    const page = await second.browser.submit(second.page, LOGIN_FORM, {
      csrf: otherToken,
      email: user.email,
      password: user.password,
    });

    expect(otherToken).not.toBe('');
    expectFriendlyPage(page, 403);
  });

  it('shows a friendly 400 page for an interaction URL opened without its cookie', async () => {
    const { page } = await openLoginPage();

    const stranger = new Browser([REDIRECT_URI]);
    const result = await stranger.get(page.url);

    expectFriendlyPage(result, 400);
    expect(result.body).toContain('Your sign-in session has expired');
    expect(result.body).not.toContain('id="login-form"');
  });

  it('shows a friendly 400 page for a login post without the interaction cookie', async () => {
    const { page, action } = await openLoginPage();
    const csrf = findForm(page.body, LOGIN_FORM)?.inputs.csrf ?? '';

    const stranger = new Browser([REDIRECT_URI]);
    const result = await stranger.post(action, {
      csrf,
      email: user.email,
      password: user.password,
    });

    expectFriendlyPage(result, 400);
    expect(result.body).toContain('Your sign-in session has expired');
  });

  it('keeps the session cookie for the browser session only, unless asked to keep the person signed in', async () => {
    const sessionCookie = (browser: Browser) =>
      browser.setCookieLines.filter((line) => /^_session=[^;]+/.test(line)).at(-1) ?? '';

    for (const remember of [false, true]) {
      const { browser, page } = await openLoginPage();
      expect(findForm(page.body, LOGIN_FORM)?.inputs).not.toHaveProperty('remember');
      await browser.submit(page, LOGIN_FORM, {
        email: user.email,
        password: user.password,
        ...(remember ? { remember: 'yes' } : {}),
      });

      const cookie = sessionCookie(browser);
      expect(cookie).toMatch(/^_session=/);
      if (remember) expect(cookie).toMatch(/;\s*expires=/i);
      else expect(cookie).not.toMatch(/;\s*(expires|max-age)=/i);
    }
  });
});
