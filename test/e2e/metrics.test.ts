import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { Browser, findForm, type Page } from '../support/browser.ts';
import {
  authorizationRequest,
  LOGIN_FORM,
  REDIRECT_URI,
  requestClientCredentials,
  signInForTokens,
} from '../support/flow.ts';
import { type FlowFixture, startFlowFixture } from '../support/flow-fixture.ts';
import { parseScrape, type Sample, samplesOf, sumOf } from '../support/prometheus.ts';

const LOGIN_LIMITS = { maxFailures: 2, maxFailuresPerIp: 1000, lockoutSeconds: 60 };

describe.each(serverBackends)('Prometheus metrics on $name storage', (backend) => {
  let fixture: FlowFixture;
  let metricsUrl: string;

  beforeAll(async () => {
    fixture = await startFlowFixture(backend, {
      overrides: { metricsPort: 0, loginThrottle: LOGIN_LIMITS },
      client: { grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] },
    });
    metricsUrl = `http://127.0.0.1:${fixture.server.portcullis.metricsPort}/metrics`;
  });
  afterAll(() => fixture?.close());

  async function scrape(): Promise<Sample[]> {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseScrape(await response.text());
  }

  /** Submits the login form with each password in turn, on the page the last answer showed. */
  async function tryPasswords(email: string, passwords: string[]): Promise<Page[]> {
    const browser = new Browser([REDIRECT_URI]);
    const { url } = await authorizationRequest(fixture.config);
    let page = await browser.get(url.toString());
    if (!findForm(page.body, LOGIN_FORM)) throw new Error(`no login form at ${page.url}`);
    const answers: Page[] = [];
    for (const password of passwords) {
      page = await browser.submit(page, LOGIN_FORM, { email, password });
      answers.push(page);
    }
    return answers;
  }

  it('counts a real flow: requests per route, tokens per grant type, failures, lockouts, reuse', async () => {
    const { config, user, client, server } = fixture;
    const signedIn = await signInForTokens(config, user);
    const refreshToken = String(signedIn.tokens.refresh_token);
    await oidc.refreshTokenGrant(config, refreshToken);
    // The test configuration has no grace window: the second use is reuse, and revokes the grant.
    await expect(oidc.refreshTokenGrant(config, refreshToken)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    expect((await requestClientCredentials(server, client)).status).toBe(200);
    const wrongSecret = { clientId: client.clientId, clientSecret: 'not the secret' };
    expect((await requestClientCredentials(server, wrongSecret)).status).toBe(401);
    // One wrong password for the user; another address locked out, then refused.
    expect((await tryPasswords(user.email, ['wrong']))[0]?.status).toBe(401);
    const locked = await tryPasswords(`nobody-${user.email}`, ['a', 'b', 'c']);
    expect(locked.map((page) => page.status)).toEqual([401, 401, 429]);
    expect((await fetch(new URL('/jwks', fixture.issuer))).status).toBe(200);

    const samples = await scrape();
    const issued = (grant_type: string, token: string) =>
      sumOf(samples, 'portcullis_tokens_issued_total', { grant_type, token });
    expect(issued('authorization_code', 'access_token')).toBe(1);
    expect(issued('authorization_code', 'id_token')).toBe(1);
    expect(issued('authorization_code', 'refresh_token')).toBe(1);
    expect(issued('refresh_token', 'access_token')).toBe(1);
    expect(issued('refresh_token', 'refresh_token')).toBe(1);
    expect(issued('client_credentials', 'access_token')).toBe(1);
    expect(issued('client_credentials', 'refresh_token')).toBe(0);
    expect(sumOf(samples, 'portcullis_refresh_token_reuse_total')).toBe(1);
    expect(sumOf(samples, 'portcullis_sign_in_failures_total')).toBe(3);
    expect(sumOf(samples, 'portcullis_client_auth_failures_total')).toBe(1);
    expect(sumOf(samples, 'portcullis_lockouts_total', { throttle: 'login', by: 'subject' })).toBe(
      1,
    );
    expect(sumOf(samples, 'portcullis_lockouts_total', { by: 'ip' })).toBe(0);
    expect(sumOf(samples, 'portcullis_throttled_attempts_total', { throttle: 'login' })).toBe(1);

    const requests = (labels: Record<string, string>) =>
      sumOf(samples, 'portcullis_http_request_duration_seconds_count', labels);
    // authorization code, refresh and client credentials; the reuse and wrong secret refused.
    expect(requests({ route: 'token', method: 'POST', status: '200' })).toBe(3);
    expect(requests({ route: 'token', method: 'POST', status: '400' })).toBe(1);
    expect(requests({ route: 'token', method: 'POST', status: '401' })).toBe(1);
    expect(requests({ route: 'authorization', method: 'GET' })).toBeGreaterThanOrEqual(3);
    expect(requests({ route: '/interaction/:uid/login', method: 'POST', status: '401' })).toBe(3);
    expect(requests({ route: '/interaction/:uid/login', method: 'POST', status: '429' })).toBe(1);
    expect(requests({ route: 'jwks', method: 'GET', status: '200' })).toBe(1);
  });

  it('labels requests by route, never by a path that carries an id', async () => {
    expect((await fetch(new URL('/no/such/path-4f1c', fixture.issuer))).status).toBe(404);
    const routes = new Set(
      samplesOf(await scrape(), 'portcullis_http_request_duration_seconds_count').map(
        (sample) => sample.labels.route,
      ),
    );
    expect(routes).toContain('unmatched');
    for (const route of routes) {
      // oidc-provider's route names, or our routes' patterns with their parameters as `:name`.
      expect(route).toMatch(/^([a-z_]+|(\/(:?[a-z]+))+)$/);
    }
  });

  it('shows signing-key age, storage latency and event-loop lag', async () => {
    const samples = await scrape();
    for (const alg of ['ES256', 'RS256']) {
      const [age] = samplesOf(samples, 'portcullis_signing_key_age_seconds', { alg });
      expect(age?.value).toBeGreaterThanOrEqual(0);
      expect(age?.value).toBeLessThan(3600);
    }
    const sqlStore = backend.name === 'embedded' ? 'embedded' : 'postgres';
    const count = (store: string) =>
      sumOf(samples, 'portcullis_storage_duration_seconds_count', { store });
    expect(count(sqlStore)).toBeGreaterThan(0);
    expect(count('redis') > 0).toBe(backend.redisUrl !== undefined);
    expect(samplesOf(samples, 'nodejs_eventloop_lag_seconds')).toHaveLength(1);
  });

  it('serves metrics on the metrics port only', async () => {
    const onPublicPort = await fetch(new URL('/metrics', fixture.issuer));
    expect(onPublicPort.status).toBe(404);
    expect(await onPublicPort.text()).not.toContain('portcullis_');
    const elsewhere = await fetch(new URL('/healthz', metricsUrl));
    expect(elsewhere.status).toBe(404);
  });
});
