import { describe, expect, it } from 'vitest';
import { type SqlBackend, serverBackends } from '../support/backends.ts';
import { type Browser, findForm } from '../support/browser.ts';
import { authorizationRequest, LOGIN_FORM, REDIRECT_URI, signIn } from '../support/flow.ts';
import { type FlowFixture, startFlowFixture } from '../support/flow-fixture.ts';

/** A server start is part of each test, and slow on a loaded machine. */
const TIMEOUT = 180_000;

const sleepUntil = (at: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

/**
 * The lifetimes are a few seconds here, and oidc-provider counts them in whole seconds: each wait
 * below leaves a second of slack for that rounding (see src/oidc/ttl.ts).
 */
describe.each(serverBackends)('browser session lifetime on $name storage', (backend) => {
  it.concurrent(
    'ends a session left unused for the idle timeout, and each use moves it on',
    async () => {
      await withFixture(backend, { session: 600, sessionIdle: 4 }, async (fixture) => {
        const { browser } = await signIn(fixture.config, fixture.user);
        let lastUse = Date.now();

        // Used every second for longer than the idle timeout: each use keeps it alive.
        const uses: string[] = [];
        for (let n = 1; n <= 5; n += 1) {
          await sleepUntil(lastUse + 1_000);
          uses.push(await authorize(fixture, browser));
          lastUse = Date.now();
        }
        expect(uses).toEqual(Array.from({ length: 5 }, () => 'signed in'));

        await sleepUntil(lastUse + 5_200);
        expect(await authorize(fixture, browser)).toBe('sign in again');
      });
    },
    TIMEOUT,
  );

  it.concurrent(
    'ends a session in use once its absolute lifetime from the sign-in is over',
    async () => {
      await withFixture(backend, { session: 7, sessionIdle: 6 }, async (fixture) => {
        const { browser } = await signIn(fixture.config, fixture.user);
        const signedIn = (await loginTs(fixture, browser)) * 1000;

        const uses: string[] = [];
        for (const after of [1_500, 3_000]) {
          await sleepUntil(signedIn + after);
          uses.push(await authorize(fixture, browser));
        }
        expect(uses).toEqual(['signed in', 'signed in']);

        // Not idle for long (the last use was 4.3 s before, the idle timeout is 6 s), yet over.
        await sleepUntil(signedIn + 7_300);
        expect(await authorize(fixture, browser)).toBe('sign in again');
      });
    },
    TIMEOUT,
  );
});

async function withFixture(
  backend: SqlBackend,
  ttl: { session: number; sessionIdle: number },
  test: (fixture: FlowFixture) => Promise<void>,
): Promise<void> {
  const fixture = await startFlowFixture(backend, { overrides: { ttl } });
  try {
    await test(fixture);
  } finally {
    await fixture.close();
  }
}

/** An authorization request from the browser: answered at once, or with the login page. */
async function authorize(fixture: FlowFixture, browser: Browser): Promise<string> {
  const page = await browser.get((await authorizationRequest(fixture.config)).url.toString());
  if (page.url.startsWith(REDIRECT_URI) && new URL(page.url).searchParams.has('code')) {
    return 'signed in';
  }
  if (findForm(page.body, LOGIN_FORM)) return 'sign in again';
  throw new Error(`unexpected answer at ${page.url} (${page.status}): ${page.body.slice(0, 200)}`);
}

/** When the browser's session signed in (its loginTs, in epoch seconds), as stored. */
async function loginTs(fixture: FlowFixture, browser: Browser): Promise<number> {
  const cookie = [...browser.cookies.values()].find((c) => c.name === '_session');
  const session = cookie && (await fixture.server.portcullis.provider().Session.find(cookie.value));
  if (session?.loginTs === undefined) throw new Error('the browser holds no signed-in session');
  return session.loginTs;
}
