import type * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { Browser, type Page } from '../support/browser.ts';
import { authorizationRequest, REDIRECT_URI } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import { expectFriendlyPage } from '../support/pages.ts';
import type { TestServer } from '../support/server.ts';

const UNREGISTERED_URI = 'https://attacker.example/cb';

describe.each(serverBackends)('authorization request errors on $name storage', (backend) => {
  let server: TestServer;
  let config: oidc.Configuration;

  beforeAll(async () => {
    ({ server, config } = await startFlowFixture(backend));
  });
  afterAll(() => server?.close());

  /** Opens an authorization URL in a browser that stops at any redirect back to a client. */
  function open(url: URL): Promise<Page> {
    return new Browser([REDIRECT_URI, UNREGISTERED_URI]).get(url.toString());
  }

  it('redirects a request without code_challenge back to the client with invalid_request', async () => {
    const { url, state } = await authorizationRequest(config);
    url.searchParams.delete('code_challenge');
    url.searchParams.delete('code_challenge_method');

    const page = await open(url);

    const back = new URL(page.url);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(back.searchParams.get('state')).toBe(state);
    expect(back.searchParams.get('code')).toBeNull();
  });

  it('refuses the implicit flow: response_type=token goes back with unsupported_response_type', async () => {
    const { url, state } = await authorizationRequest(config);
    url.searchParams.set('response_type', 'token');

    const page = await open(url);

    const back = new URL(page.url);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    const answer = new URLSearchParams(back.hash.slice(1) || back.search);
    expect(answer.get('error')).toBe('unsupported_response_type');
    expect(answer.get('state')).toBe(state);
    expect(answer.get('access_token')).toBeNull();
  });

  it('redirects a request with code_challenge_method=plain back with invalid_request', async () => {
    const { url, codeVerifier, state } = await authorizationRequest(config, {
      code_challenge_method: 'plain',
    });
    url.searchParams.set('code_challenge', codeVerifier);

    const page = await open(url);

    const back = new URL(page.url);
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT_URI);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('error_description')).toMatch(/code_challenge_method/);
    expect(back.searchParams.get('state')).toBe(state);
  });

  it('shows an error page, and never redirects, for an unregistered redirect_uri', async () => {
    const { url } = await authorizationRequest(config, { redirect_uri: UNREGISTERED_URI });

    const page = await open(url);

    expectFriendlyPage(page, 400);
    expect(page.url).toBe(url.toString());
    expect(page.body).toContain('an address it has not registered');
  });

  it('shows an error page, and never redirects, for a redirect_uri that only shares a prefix', async () => {
    const { url } = await authorizationRequest(config, {
      redirect_uri: `${REDIRECT_URI}/../evil`,
    });

    const page = await open(url);

    expectFriendlyPage(page, 400);
    expect(page.url).toBe(url.toString());
  });

  it('shows an error page for an unknown client_id', async () => {
    const { url } = await authorizationRequest(config);
    url.searchParams.set('client_id', 'no-such-client');

    const page = await open(url);

    expectFriendlyPage(page, 400);
    expect(page.url).toBe(url.toString());
    expect(page.body).toContain('This application is not registered with us');
  });

  it('answers an authorization request without client_id with an error page', async () => {
    const page = await open(new URL(`${server.issuer}/auth?response_type=code`));

    expectFriendlyPage(page, 400);
    expect(page.body).toContain('invalid_request');
  });
});
