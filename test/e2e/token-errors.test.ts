import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { discover, REDIRECT_URI, redeem, signIn } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import { expectNoInternals } from '../support/pages.ts';
import type { TestClient, TestServer, TestUser } from '../support/server.ts';

describe.each(serverBackends)('token endpoint errors on $name storage', (backend) => {
  let server: TestServer;
  let config: oidc.Configuration;
  let client: TestClient;
  let user: TestUser;

  beforeAll(async () => {
    ({ server, user, client, config } = await startFlowFixture(backend));
  });
  afterAll(() => server?.close());

  function basicAuth(secret = String(client.clientSecret)): string {
    return `Basic ${Buffer.from(`${client.clientId}:${secret}`).toString('base64')}`;
  }

  async function postToToken(body: string, headers: Record<string, string>) {
    const response = await fetch(String(config.serverMetadata().token_endpoint), {
      method: 'POST',
      headers,
      body,
    });
    const text = await response.text();
    expectNoInternals(text);
    return { status: response.status, type: response.headers.get('content-type'), text };
  }

  it('refuses a code redeemed with the wrong code_verifier with invalid_grant', async () => {
    const signedIn = await signIn(config, user);

    await expect(
      oidc.authorizationCodeGrant(config, signedIn.callbackUrl, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedState: signedIn.state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant', status: 400 });
  });

  it('refuses a second redemption of a code and revokes what the first one issued', async () => {
    const signedIn = await signIn(config, user);
    const first = await redeem(config, signedIn);

    await expect(redeem(config, signedIn)).rejects.toMatchObject({
      error: 'invalid_grant',
      status: 400,
    });
    const introspected = await oidc.tokenIntrospection(config, first.access_token);
    expect(introspected.active).toBe(false);
  });

  it('answers a wrong client secret with 401 invalid_client and does not spend the code', async () => {
    const signedIn = await signIn(config, user);
    const impostor = await discover(server, client.clientId, 'not-the-client-secret');

    // A 401 carries a WWW-Authenticate challenge, which openid-client reports with its parameters.
    await expect(redeem(impostor, signedIn)).rejects.toMatchObject({
      status: 401,
      cause: [{ scheme: 'basic', parameters: { error: 'invalid_client' } }],
    });
    const tokens = await redeem(config, signedIn);
    expect(tokens.access_token).toBeTruthy();
  });

  it('answers an unknown client with 401 invalid_client', async () => {
    const result = await postToToken('grant_type=refresh_token&refresh_token=abc', {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from('no-such-client:secret').toString('base64')}`,
    });

    expect(result.status).toBe(401);
    expect(JSON.parse(result.text)).toMatchObject({ error: 'invalid_client' });
  });

  const FORM = 'application/x-www-form-urlencoded';
  // [what is sent, the error expected, content type, body]
  const badRequests: Array<[string, string, string, string]> = [
    ['a plain-text body', 'invalid_request', 'text/plain', 'garbage'],
    ['a JSON body', 'invalid_request', 'application/json', '{"grant_type":1}'],
    ['malformed percent-encoding', 'unsupported_grant_type', FORM, 'grant_type=%E0%A4%A&x=%zz'],
    ['no grant_type', 'invalid_request', FORM, ''],
    ['the password grant', 'unsupported_grant_type', FORM, 'grant_type=password&username=a'],
    ['an invented grant type', 'unsupported_grant_type', FORM, 'grant_type=urn:example:nonsense'],
    [
      'a repeated parameter',
      'invalid_request',
      FORM,
      'grant_type=authorization_code&code=a&code=b',
    ],
    [
      'an unknown refresh token',
      'invalid_grant',
      FORM,
      'grant_type=refresh_token&refresh_token=abc',
    ],
    // oidc-provider's choice; RFC 6749 §5.2 would say unauthorized_client.
    [
      'a grant type the client may not use',
      'invalid_request',
      FORM,
      'grant_type=client_credentials',
    ],
  ];

  it.each(badRequests)('answers %s with 400 and a JSON %s', async (_name, error, type, body) => {
    const result = await postToToken(body, { 'content-type': type, authorization: basicAuth() });

    expect(result.status).toBe(400);
    expect(result.type).toMatch(/^application\/json/);
    expect(JSON.parse(result.text)).toMatchObject({ error });
  });

  it('answers a code sent to another redirect_uri with invalid_grant', async () => {
    const signedIn = await signIn(config, user);
    const code = String(signedIn.callbackUrl.searchParams.get('code'));

    const result = await postToToken(
      new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        code_verifier: signedIn.codeVerifier,
        redirect_uri: `${REDIRECT_URI}/other`,
      }).toString(),
      { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuth() },
    );

    expect(result.status).toBe(400);
    expect(JSON.parse(result.text)).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a code redeemed without the redirect_uri its authorization request had', async () => {
    const signedIn = await signIn(config, user);
    const code = String(signedIn.callbackUrl.searchParams.get('code'));
    const form = { grant_type: 'authorization_code', code, code_verifier: signedIn.codeVerifier };
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuth(),
    };

    const omitted = await postToToken(new URLSearchParams(form).toString(), headers);

    expect(omitted.status).toBe(400);
    expect(JSON.parse(omitted.text)).toMatchObject({ error: 'invalid_request' });
    expect(JSON.parse(omitted.text).error_description).toMatch(/redirect_uri/);
    // The code was not spent: with its redirect_uri it still works.
    const redeemed = await postToToken(
      new URLSearchParams({ ...form, redirect_uri: REDIRECT_URI }).toString(),
      headers,
    );
    expect(redeemed.status).toBe(200);
  });
});
