import * as oidc from 'openid-client';
import { Browser } from './browser.ts';
import type { TestServer } from './server.ts';

export const REDIRECT_URI = 'http://localhost:8080/cb';
/** The actions of the forms on our login and consent pages. */
export const LOGIN_FORM = /\/interaction\/[^/]+\/login$/;
export const CONSENT_FORM = /\/interaction\/[^/]+\/confirm$/;

/** openid-client configured for a test server (plain http is allowed: the server is local). */
export async function discover(
  server: Pick<TestServer, 'issuer'>,
  clientId: string,
  clientSecret?: string,
) {
  return oidc.discovery(
    new URL(server.issuer),
    clientId,
    clientSecret ? { client_secret: clientSecret } : undefined,
    clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(),
    { execute: [oidc.allowInsecureRequests] },
  );
}

export interface AuthorizationRequest {
  url: URL;
  codeVerifier: string;
  state: string;
}

/**
 * An authorization request URL with PKCE (S256) and a fresh state; `parameters` add to or replace
 * the defaults (delete from `url.searchParams` to leave one out). `pushed`: the parameters are
 * pushed first (PAR, RFC 9126) and the URL carries only client_id and request_uri.
 */
export async function authorizationRequest(
  config: oidc.Configuration,
  parameters: Record<string, string> = {},
  { pushed = false }: { pushed?: boolean } = {},
): Promise<AuthorizationRequest> {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const all = {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    ...parameters,
  };
  const url = pushed
    ? await oidc.buildAuthorizationUrlWithPAR(config, all)
    : oidc.buildAuthorizationUrl(config, all);
  return { url, codeVerifier, state };
}

export interface SignIn {
  browser: Browser;
  /** The authorization request the sign-in began with. */
  url: URL;
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
  options: {
    scope?: string;
    browser?: Browser;
    extra?: Record<string, string>;
    pushed?: boolean;
  } = {},
): Promise<SignIn> {
  const browser = options.browser ?? new Browser([REDIRECT_URI]);
  const { url, codeVerifier, state } = await authorizationRequest(
    config,
    {
      scope: options.scope ?? 'openid email profile offline_access',
      prompt: 'consent',
      ...options.extra,
    },
    { pushed: options.pushed },
  );
  const callbackUrl = await completeSignIn(browser, url, user);
  return { browser, url, callbackUrl, codeVerifier, state };
}

/**
 * Opens an authorization URL in `browser` (which stops at REDIRECT_URI), signs in and consents
 * where the pages ask, and returns the URL the client is sent back to.
 */
export async function completeSignIn(
  browser: Browser,
  url: URL,
  user: { email: string; password: string },
): Promise<URL> {
  let page = await browser.get(url.toString());
  if (LOGIN_FORM.test(findAction(page.body) ?? '')) {
    page = await browser.submit(page, LOGIN_FORM, { email: user.email, password: user.password });
  }
  if (CONSENT_FORM.test(findAction(page.body) ?? '')) {
    page = await browser.submit(page, CONSENT_FORM);
  }
  if (!page.url.startsWith(REDIRECT_URI)) {
    throw new Error(`sign-in ended at ${page.url} (${page.status}): ${page.body.slice(0, 300)}`);
  }
  return new URL(page.url);
}

/** Exchanges the code a sign-in brought back for tokens, checking PKCE and state. */
export function redeem(config: oidc.Configuration, signedIn: SignIn) {
  return oidc.authorizationCodeGrant(config, signedIn.callbackUrl, {
    pkceCodeVerifier: signedIn.codeVerifier,
    expectedState: signedIn.state,
  });
}

/** `signIn` then `redeem`: a signed-in browser and the tokens the client holds. */
export async function signInForTokens(
  config: oidc.Configuration,
  user: { email: string; password: string },
  options: Parameters<typeof signIn>[2] = {},
) {
  const signedIn = await signIn(config, user, options);
  return { ...signedIn, tokens: await redeem(config, signedIn) };
}

function findAction(html: string): string | undefined {
  return /<form\b[^>]*action="([^"]*)"/i.exec(html)?.[1];
}

/** A client-credentials token request, as a service sends it (HTTP Basic), answered as it comes. */
export function requestClientCredentials(
  server: Pick<TestServer, 'issuer'>,
  client: { clientId: string; clientSecret?: string },
): Promise<Response> {
  const credentials = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
  return fetch(new URL('/token', server.issuer), {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${credentials}`,
    },
    body: 'grant_type=client_credentials',
  });
}
