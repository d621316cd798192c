import * as oidc from 'openid-client';
import { Browser } from './browser.ts';
import type { TestServer } from './server.ts';

export const REDIRECT_URI = 'http://localhost:8080/cb';

/** openid-client configured for a test server (plain http is allowed: the server is local). */
export async function discover(server: TestServer, clientId: string, clientSecret?: string) {
  return oidc.discovery(
    new URL(server.issuer),
    clientId,
    clientSecret ? { client_secret: clientSecret } : undefined,
    clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

export interface SignIn {
  browser: Browser;
  callbackUrl: URL;
  codeVerifier: string;
  state: string;
}

/**
 * Drives a browser through authorize → login form → consent form → redirect back with a code,
 * the way a person would, and returns the URL the client receives.
 */
export async function signIn(
  config: oidc.Configuration,
  user: { email: string; password: string },
  options: { scope?: string; browser?: Browser; extra?: Record<string, string> } = {},
): Promise<SignIn> {
  const browser = options.browser ?? new Browser([REDIRECT_URI]);
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: options.scope ?? 'openid email profile offline_access',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    prompt: 'consent',
    ...options.extra,
  });
  let page = await browser.get(url.toString());
  if (/\/login$/.test(findAction(page.body) ?? '')) {
    page = await browser.submit(page, /\/login$/, { email: user.email, password: user.password });
  }
  if (/\/confirm$/.test(findAction(page.body) ?? '')) {
    page = await browser.submit(page, /\/confirm$/);
  }
  if (!page.url.startsWith(REDIRECT_URI)) {
    throw new Error(`sign-in ended at ${page.url} (${page.status}): ${page.body.slice(0, 300)}`);
  }
  return { browser, callbackUrl: new URL(page.url), codeVerifier, state };
}

function findAction(html: string): string | undefined {
  return /<form\b[^>]*action="([^"]*)"/i.exec(html)?.[1];
}
