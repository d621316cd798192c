import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyRevocationService } from '../../src/domain/key-revocation.service.ts';
import { sqlBackends } from '../support/backends.ts';
import { signIn } from '../support/flow.ts';
import { startFlowFixture } from '../support/flow-fixture.ts';
import { API, ON_REQUEST_KEYS, sleep, testResourceServers } from '../support/rotation.ts';
import type { TestServer, TestUser } from '../support/server.ts';

describe.each(sqlBackends)('signing key lifecycle on $name storage', (backend) => {
  let server: TestServer;
  let client: oidc.Configuration;
  let user: TestUser;

  beforeAll(async () => {
    ({
      server,
      user,
      config: client,
    } = await startFlowFixture(backend, {
      overrides: ON_REQUEST_KEYS,
      start: { resourceServers: testResourceServers },
      client: {
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        postLogoutRedirectUris: ['http://localhost:8080/bye'],
      },
    }));
  });
  afterAll(() => server?.close());

  const publishedKids = async () => {
    const { keys } = (await (await fetch(`${server.issuer}/jwks`)).json()) as {
      keys: { kid: string }[];
    };
    return keys.map((key) => key.kid);
  };
  const keyRows = () =>
    server.portcullis.database.db.selectFrom('signing_keys').selectAll().execute();
  const kidOf = async (alg: string, state: string) =>
    (await keyRows()).find((row) => row.alg === alg && row.state === state)?.kid;
  const accessTokenKid = async () => {
    const granted = await oidc.clientCredentialsGrant(client, { scope: 'api:read', resource: API });
    return decodeProtectedHeader(granted.access_token).kid;
  };

  it('publishes a next key without signing with it, then signs with it and keeps the retired key published until its retention', async () => {
    const signing = String(await kidOf('ES256', 'current'));
    await server.portcullis.keys.rotation.rotateNow('cli');
    await server.portcullis.keys.watcher.refresh();
    const next = String(await kidOf('ES256', 'next'));

    expect(await publishedKids()).toEqual(expect.arrayContaining([signing, next]));
    for (let i = 0; i < 5; i += 1) expect(await accessTokenKid()).toBe(signing);

    // Promoted by the job once published for the lead time (3 s); the old key is then retired.
    await expect.poll(accessTokenKid, { timeout: 8000, interval: 200 }).toBe(next);
    const retiredAt = (await keyRows()).find((row) => row.kid === signing)?.retired_at;
    expect(retiredAt).toBeInstanceOf(Date);
    expect(await publishedKids()).toContain(signing);
    for (let i = 0; i < 5; i += 1) expect(await accessTokenKid()).toBe(next);

    // Retention is 6 s: the key stays published that long, and goes within a job and watch pass.
    await expect.poll(publishedKids, { timeout: 12_000, interval: 200 }).not.toContain(signing);
    const goneAfter = Date.now() - (retiredAt as Date).getTime();
    expect(goneAfter).toBeGreaterThanOrEqual(ON_REQUEST_KEYS.keys.retentionSeconds * 1000);
    expect(goneAfter).toBeLessThan((ON_REQUEST_KEYS.keys.retentionSeconds + 3) * 1000);
  });

  it('accepts an id_token_hint signed by a key that has since been retired', async () => {
    const { callbackUrl, codeVerifier, state, browser } = await signIn(client, user);
    const tokens = await oidc.authorizationCodeGrant(client, callbackUrl, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
    });
    const idToken = String(tokens.id_token);
    const signedBy = decodeProtectedHeader(idToken).kid;
    await server.portcullis.keys.rotation.rotateNow('cli');
    await expect
      .poll(async () => (await keyRows()).find((row) => row.kid === signedBy)?.state, {
        timeout: 8000,
        interval: 200,
      })
      .toBe('retired');
    await server.portcullis.keys.watcher.refresh();

    const logout = oidc.buildEndSessionUrl(client, {
      id_token_hint: idToken,
      post_logout_redirect_uri: 'http://localhost:8080/bye',
    });
    const page = await browser.get(logout.toString());
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('invalid_request');
  });

  it('takes an emergency-revoked key out of JWKS at once and signs with another key at once', async () => {
    const compromised = String(await kidOf('ES256', 'current'));
    const granted = await oidc.clientCredentialsGrant(client, { scope: 'api:read', resource: API });
    expect(decodeProtectedHeader(granted.access_token).kid).toBe(compromised);

    // As `portcullis keys revoke` does it: from outside the server, on the same database.
    const started = Date.now();
    const revocation = await createKeyRevocationService(
      server.portcullis.database.db,
      Buffer.from(String(server.config.keyEncryptionKey), 'base64'),
    ).revoke(compromised, 'cli');
    await expect.poll(publishedKids, { timeout: 2000, interval: 25 }).not.toContain(compromised);
    expect(Date.now() - started).toBeLessThan(1000);

    expect(await accessTokenKid()).toBe(revocation.replacement?.id);
    const freshResourceServer = createRemoteJWKSet(new URL(`${server.issuer}/jwks`));
    await expect(
      jwtVerify(granted.access_token, freshResourceServer, { issuer: server.issuer }),
    ).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    await sleep(0);
  });
});
