import { createHash } from 'node:crypto';
import type * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/backends.ts';
import { Browser, type Page } from '../support/browser.ts';
import { authorizationRequest, LOGIN_FORM, REDIRECT_URI } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import type { TestServer, TestUser } from '../support/server.ts';

/** The directives of a Content-Security-Policy header, by name. */
function directives(page: Page): Map<string, string[]> {
  const header = page.headers.get('content-security-policy') ?? '';
  return new Map(
    header
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name = '', ...values]) => [name, values]),
  );
}

describe.each(sqlBackends)('security headers on $name storage', (backend) => {
  let server: TestServer;
  let config: oidc.Configuration;
  let user: TestUser;

  beforeAll(async () => {
    ({ server, user, config } = await startFlowFixture(backend));
  });
  afterAll(() => server?.close());

  async function loginPage(): Promise<{ browser: Browser; page: Page }> {
    const browser = new Browser([REDIRECT_URI]);
    const { url } = await authorizationRequest(config);
    return { browser, page: await browser.get(url.toString()) };
  }

  it('forbids inline code and framing on the login page with a Content-Security-Policy', async () => {
    const { page } = await loginPage();

    expect(page.body).toContain('id="login-form"');
    const csp = directives(page);
    expect(page.headers.get('content-security-policy')).not.toContain("'unsafe-inline'");
    expect(page.headers.get('content-security-policy')).not.toContain("'unsafe-eval'");
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
  });

  it('sends X-Frame-Options DENY and nosniff on the login page', async () => {
    const { page } = await loginPage();

    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('marks the login page, a failed login and the consent page as not cacheable', async () => {
    const { browser, page } = await loginPage();
    const failed = await browser.submit(page, LOGIN_FORM, {
      email: user.email,
      password: 'not the password',
    });
    const consent = await browser.submit(failed, LOGIN_FORM, {
      email: user.email,
      password: user.password,
    });

    expect(consent.body).toContain('wants to access your account');
    for (const each of [page, failed, consent]) {
      expect(each.headers.get('cache-control'), each.url).toContain('no-store');
      expect(each.headers.get('x-frame-options'), each.url).toBe('DENY');
    }
  });

  it('allows exactly the inline script of an auto-submitted form by its hash', async () => {
    // Logging out without a session is answered with a form that submits itself.
    const page = await new Browser().get(`${server.issuer}/session/end`);

    const script = /<script>([\s\S]*?)<\/script>/.exec(page.body)?.[1];
    expect(script).toBeDefined();
    const hash = createHash('sha256')
      .update(script ?? '')
      .digest('base64');
    expect(directives(page).get('script-src')).toContain(`'sha256-${hash}'`);
    expect(page.headers.get('content-security-policy')).not.toContain("'unsafe-inline'");
  });
});
