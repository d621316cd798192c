import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import * as openidClient from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { Browser } from '../support/browser.ts';
import { completeSignIn, REDIRECT_URI } from '../support/flow.ts';
import {
  startTestServer,
  type TestClient,
  type TestServer,
  type TestUser,
} from '../support/server.ts';

const README = new URL('../../README.md', import.meta.url);
/** The issuer README's example is written for; the test server's own URL replaces it. */
const README_ISSUER = 'http://localhost:3000';
const CALLBACK_COMMENT = '// On the callback';

interface ExampleResult {
  tokens: openidClient.TokenEndpointResponse & openidClient.TokenEndpointResponseHelpers;
  claims: openidClient.IDToken;
  userinfo: openidClient.UserInfoResponse;
  refreshed: openidClient.TokenEndpointResponse;
}

/**
 * README's openid-client example, taken from README itself (the code block after "With
 * openid-client"), so that this test breaks when README changes in a way the server does not
 * follow. It runs as written, with three things filled in: the client's id and secret, the
 * person signing in between the redirect and the callback (`callbackUrl`), and the test
 * server's URL for http://localhost:3000.
 */
function readmeExample(issuer: string) {
  const readme = readFileSync(README, 'utf8');
  const section = readme.slice(readme.indexOf('With [openid-client]'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README has no ts code block after "With [openid-client]"');
  const importLine = "import * as client from 'openid-client';";
  if (!code.includes(importLine) || !code.includes(CALLBACK_COMMENT)) {
    throw new Error('README example changed shape: update readme-client.test.ts');
  }
  const body = stripTypeScriptTypes(code.replace(importLine, ''))
    .replaceAll(`'${README_ISSUER}'`, JSON.stringify(issuer))
    .replace(CALLBACK_COMMENT, `const callbackUrl = await signIn(url);\n${CALLBACK_COMMENT}`);
  const AsyncFunction = (async () => {}).constructor as new (
    ...args: string[]
  ) => (...values: unknown[]) => Promise<ExampleResult>;
  const run = new AsyncFunction(
    'client',
    'clientId',
    'clientSecret',
    'signIn',
    `${body}\nreturn { tokens, claims, userinfo, refreshed };`,
  );
  return (clientId: string, clientSecret: string, signIn: (url: URL) => Promise<URL>) =>
    run(openidClient, clientId, clientSecret, signIn);
}

describe.each(serverBackends)("README's openid-client example on $name storage", (backend) => {
  let server: TestServer;
  let user: TestUser;
  let client: TestClient;

  beforeAll(async () => {
    server = await startTestServer(backend);
    user = await server.createUser({ name: 'Alice' });
    client = await server.createClient({ name: 'my-app', redirectUris: [REDIRECT_URI] });
  });
  afterAll(() => server?.close());

  it('signs in, finds the claims where README says they are, and refreshes, as written', async () => {
    const example = readmeExample(server.issuer);
    const signIn = (url: URL) => completeSignIn(new Browser([REDIRECT_URI]), url, user);

    const result = await example(client.clientId, String(client.clientSecret), signIn);

    expect(result.claims.sub).toBe(user.id);
    expect(result.claims.iss).toBe(server.issuer);
    // As README says: the scopes' claims are not in the ID token, userinfo has them.
    expect(result.claims).not.toHaveProperty('email');
    expect(result.claims).not.toHaveProperty('name');
    expect(result.userinfo).toMatchObject({
      sub: user.id,
      email: user.email,
      email_verified: expect.any(Boolean),
      name: 'Alice',
    });
    expect(result.tokens.scope?.split(' ').sort()).toEqual([
      'email',
      'offline_access',
      'openid',
      'profile',
    ]);
    expect(result.refreshed.access_token).toEqual(expect.any(String));
    expect(result.refreshed.refresh_token).not.toBe(result.tokens.refresh_token);
  });
});
