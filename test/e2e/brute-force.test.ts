import { sql } from 'kysely';
import type * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { Browser, findForm, type Page } from '../support/browser.ts';
import { authorizationRequest, discover, LOGIN_FORM, REDIRECT_URI } from '../support/flow.ts';
import { expectNoInternals } from '../support/pages.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const LOGIN_LIMITS = { maxFailures: 4, maxFailuresPerIp: 1000, lockoutSeconds: 60 };
const CLIENT_LIMITS = { maxFailures: 5, maxFailuresPerIp: 1000, lockoutSeconds: 60 };

describe.each(serverBackends)('brute-force protection on $name storage', (backend) => {
  let server: TestServer;
  let config: oidc.Configuration;
  let client: { clientId: string; clientSecret?: string };

  beforeAll(async () => {
    server = await startTestServer(backend, {
      loginThrottle: LOGIN_LIMITS,
      clientAuthThrottle: CLIENT_LIMITS,
    });
    client = await server.createClient({
      grantTypes: ['authorization_code', 'client_credentials'],
    });
    config = await discover(server, client.clientId, client.clientSecret);
  });
  afterAll(() => server?.close());

  async function loginPage(browser = new Browser([REDIRECT_URI])): Promise<[Browser, Page]> {
    const { url } = await authorizationRequest(config);
    const page = await browser.get(url.toString());
    if (!findForm(page.body, LOGIN_FORM)) throw new Error(`no login form at ${page.url}`);
    return [browser, page];
  }

  /** Submits the login form `times` times, each on the page the previous answer showed. */
  async function tryPasswords(email: string, passwords: string[]): Promise<Page[]> {
    let [browser, page] = await loginPage();
    const answers: Page[] = [];
    for (const password of passwords) {
      page = await browser.submit(page, LOGIN_FORM, { email, password });
      answers.push(page);
    }
    return answers;
  }

  it('locks an email out after the configured failures, with 429 and Retry-After, known or not', async () => {
    const user = await server.createUser();
    const wrong = Array.from({ length: LOGIN_LIMITS.maxFailures }, (_, i) => `wrong ${i}`);
    const outcomes: Array<{ status: number; text: string }> = [];

    for (const email of [user.email, `nobody-${user.email}`]) {
      const answers = await tryPasswords(email, [...wrong, user.password, 'wrong again']);
      expect(answers.slice(0, -2).map((page) => page.status)).toEqual(wrong.map(() => 401));
      for (const locked of answers.slice(-2)) {
        expect(locked.status).toBe(429);
        const retryAfter = Number(locked.headers.get('retry-after'));
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(LOGIN_LIMITS.lockoutSeconds);
        expect(locked.body).toContain('Too many failed sign-ins. Try again in');
        expect(findForm(locked.body, LOGIN_FORM)).toBeDefined();
        expectNoInternals(locked.body);
        outcomes.push({ status: locked.status, text: message(locked.body).replace(/\d+/, 'N') });
      }
    }
    // The known and the unknown address get the same answers.
    expect(outcomes[0]?.text).toMatch(
      /^Too many failed sign-ins\. Try again in N (seconds|minutes)\.$/,
    );
    expect(outcomes.slice(2)).toEqual(outcomes.slice(0, 2));
  });

  it('locks out one email without touching another', async () => {
    const [locked, other] = [await server.createUser(), await server.createUser()];
    const wrong = Array.from({ length: LOGIN_LIMITS.maxFailures }, () => 'not it');
    await tryPasswords(locked.email, wrong);

    const [answer] = await tryPasswords(other.email, [other.password]);
    expect(answer?.url.startsWith(REDIRECT_URI) || answer?.status === 200).toBe(true);
    expect(answer?.status).not.toBe(429);
  });

  it('answers a flood of wrong client secrets at /token with 429, and the right secret still works', async () => {
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < CLIENT_LIMITS.maxFailures + 2; i += 1) {
      last = await tokenRequest(`wrong-${i}`);
      statuses.push(last.status);
    }

    expect(statuses).toEqual([
      ...Array.from({ length: CLIENT_LIMITS.maxFailures }, () => 401),
      429,
      429,
    ]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await last?.json()) as Record<string, string>;
    expect(body.error).toBe('temporarily_unavailable');
    expectNoInternals(JSON.stringify(body));
    // Introspection with a wrong secret of the same client is refused as well.
    const introspection = await fetch(new URL('/token/introspection', server.issuer), {
      method: 'POST',
      headers: formHeaders(client.clientId, 'wrong'),
      body: 'token=anything',
    });
    expect(introspection.status).toBe(429);
    // The client's real secret is 256 random bits: a lockout sheds floods, it does not stop it.
    expect((await tokenRequest(String(client.clientSecret))).status).toBe(200);
  });

  function tokenRequest(secret: string): Promise<Response> {
    return fetch(new URL('/token', server.issuer), {
      method: 'POST',
      headers: formHeaders(client.clientId, secret),
      body: 'grant_type=client_credentials',
    });
  }
});

describe.each(serverBackends)('lockouts end by themselves on $name storage', (backend) => {
  it('lets the right password in once the lockout has passed', async () => {
    const server = await startTestServer(backend, {
      loginThrottle: { maxFailures: 1, maxFailuresPerIp: 1000, lockoutSeconds: 3 },
    });
    try {
      const user = await server.createUser();
      const { clientId, clientSecret } = await server.createClient();
      const config = await discover(server, clientId, clientSecret);
      const browser = new Browser([REDIRECT_URI]);
      let page = await browser.get((await authorizationRequest(config)).url.toString());
      for (const password of ['wrong', user.password]) {
        page = await browser.submit(page, LOGIN_FORM, { email: user.email, password });
      }
      expect(page.status).toBe(429);

      await new Promise((resolve) => setTimeout(resolve, 3_100));
      page = await browser.submit(page, LOGIN_FORM, { email: user.email, password: user.password });
      expect(page.status).not.toBe(429);
      expect(findForm(page.body, LOGIN_FORM)).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('counts failures per client IP across email addresses', async () => {
    const server = await startTestServer(backend, {
      loginThrottle: { maxFailures: 100, maxFailuresPerIp: 3, lockoutSeconds: 60 },
    });
    try {
      const { clientId, clientSecret } = await server.createClient();
      const config = await discover(server, clientId, clientSecret);
      const browser = new Browser([REDIRECT_URI]);
      let page = await browser.get((await authorizationRequest(config)).url.toString());
      const statuses: number[] = [];
      for (const n of [1, 2, 3, 4]) {
        page = await browser.submit(page, LOGIN_FORM, {
          email: `guess${n}@example.com`,
          password: 'x',
        });
        statuses.push(page.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429]);
    } finally {
      await server.close();
    }
  });

  it('counts guesses at unknown client_ids against the IP alone, then answers 429', async () => {
    const server = await startTestServer(backend, {
      clientAuthThrottle: { maxFailures: 100, maxFailuresPerIp: 3, lockoutSeconds: 60 },
    });
    try {
      const client = await server.createClient({ grantTypes: ['client_credentials'] });
      const token = (clientId: string, secret: string) =>
        fetch(new URL('/token', server.issuer), {
          method: 'POST',
          headers: formHeaders(clientId, secret),
          body: 'grant_type=client_credentials',
        });
      const answers: Response[] = [];
      for (const n of [1, 2, 3, 4]) answers.push(await token(`no-such-client-${n}`, 'guess'));

      expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 429]);
      const locked = answers[3];
      expect(Number(locked?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await locked?.json()).toMatchObject({ error: 'temporarily_unavailable' });
      // One IP's count: a real client's wrong secret from that IP is refused as well.
      expect((await token(client.clientId, 'wrong')).status).toBe(429);
      // Counted per IP only: no counter for any client_id guessed (nor for the real client,
      // whose wrong secret was refused before it was counted).
      const counters = await counterNames(server);
      expect(counters.filter((name) => name.includes('client-auth-ip'))).toHaveLength(1);
      expect(counters.filter((name) => name.includes('client-auth-subject'))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

/** The keys of the attempt counters in the server's store (Redis, or the SQL table). */
async function counterNames(server: TestServer): Promise<string[]> {
  if (server.redis) return (await server.redis.keys()).filter((key) => key.includes('attempts:'));
  const { rows } = await sql<{ key: string }>`select key from attempt_counters`.execute(
    server.portcullis.database.db,
  );
  return rows.map((row) => row.key);
}

function formHeaders(clientId: string, secret: string): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded',
    authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
  };
}

/** The page's error message, the part a person reads. */
function message(html: string): string {
  return /Too many failed sign-ins[^<]*/.exec(html)?.[0] ?? '';
}
