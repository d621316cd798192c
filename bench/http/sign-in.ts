import { createHash, randomBytes } from 'node:crypto';
import { type Browser, createBrowser, findForm, type Page } from './browser.ts';
import { basicAuth, FORM } from './client-auth.ts';
import type { Endpoints } from './endpoints.ts';
import { send } from './send.ts';

export interface BenchClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface BenchUser {
  email: string;
  password: string;
}

export interface TokenSet {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  id_token?: string;
}

const INTERACTION_FORM = /\/interaction\/[^/]+\/(login|confirm)$/;

/** Told how long each step of a sign-in took, in ms: authorize, login, consent, token. */
export type StepTimer = (step: string, ms: number) => void;

/**
 * The authorization-code flow with PKCE as a person and a client go through it over HTTP:
 * authorize → login form (with its CSRF field) → consent form when asked → redirect back with a
 * code → token request. Throws, naming the step, if any step does not go as a browser expects.
 */
export async function signIn(
  endpoints: Endpoints,
  client: BenchClient,
  user: BenchUser,
  request: { scope: string; prompt?: string },
  timer: StepTimer = () => {},
): Promise<TokenSet> {
  const verifier = randomBytes(32).toString('base64url');
  const browser = createBrowser(client.redirectUri);
  const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await work();
    timer(step, performance.now() - started);
    return result;
  };
  const url = authorizationUrl(endpoints, client, verifier, request);
  let page = await timed('authorize', () => browser.get(url));
  for (let step = 0; step < 3 && !page.url.startsWith(client.redirectUri); step += 1) {
    const current = page;
    const name = findForm(current.body, /\/login$/) ? 'login' : 'consent';
    page = await timed(name, () => submitInteraction(browser, current, user));
  }
  const code = page.url.startsWith(client.redirectUri)
    ? new URL(page.url).searchParams.get('code')
    : null;
  if (!code) throw new Error(`sign-in ended at ${new URL(page.url).pathname} (${page.status})`);
  return timed('token', () => redeem(endpoints, client, code, verifier));
}

function authorizationUrl(
  endpoints: Endpoints,
  client: BenchClient,
  verifier: string,
  request: { scope: string; prompt?: string },
): URL {
  const url = new URL(endpoints.authorization);
  url.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: client.redirectUri,
    scope: request.scope,
    state: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...(request.prompt ? { prompt: request.prompt } : {}),
  }).toString();
  return url;
}

async function submitInteraction(browser: Browser, page: Page, user: BenchUser): Promise<Page> {
  const form = findForm(page.body, INTERACTION_FORM);
  if (!form) throw new Error(`no login or consent form at ${new URL(page.url).pathname}`);
  const credentials = form.action.endsWith('/login') ? { ...user } : {};
  return browser.post(new URL(form.action, page.url), { ...form.inputs, ...credentials });
}

async function redeem(
  endpoints: Endpoints,
  client: BenchClient,
  code: string,
  verifier: string,
): Promise<TokenSet> {
  const answer = await send(endpoints.token, {
    method: 'POST',
    headers: {
      authorization: basicAuth(client.clientId, client.clientSecret),
      'content-type': FORM,
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  if (answer.status !== 200) {
    throw new Error(`token endpoint answered ${answer.status} ${answer.body.slice(0, 200)}`);
  }
  return JSON.parse(answer.body) as TokenSet;
}
