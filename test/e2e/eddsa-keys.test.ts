import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlBackends } from '../support/backends.ts';
import { discover } from '../support/flow.ts';
import { API, testResourceServers } from '../support/rotation.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe('EdDSA signing keys by configuration', () => {
  let server: TestServer;

  beforeAll(async () => {
    const [embedded] = sqlBackends;
    if (!embedded) throw new Error('no embedded backend');
    server = await startTestServer(
      embedded,
      { keys: { algorithms: ['EdDSA', 'ES256', 'RS256'], signingAlgorithm: 'EdDSA' } },
      { resourceServers: testResourceServers },
    );
  });
  afterAll(() => server?.close());

  it('keeps an Ed25519 key, advertises EdDSA and signs JWT access tokens with it', async () => {
    const jwks = (await (await fetch(`${server.issuer}/jwks`)).json()) as {
      keys: { kty: string; crv?: string; alg: string }[];
    };
    expect(jwks.keys.map((key) => key.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256']);
    expect(jwks.keys.find((key) => key.alg === 'EdDSA')).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
    });

    const created = await server.createClient({
      grantTypes: ['client_credentials'],
      redirectUris: [],
    });
    const client = await discover(server, created.clientId, created.clientSecret);
    expect(client.serverMetadata().id_token_signing_alg_values_supported).toContain('EdDSA');
    const granted = await oidc.clientCredentialsGrant(client, { scope: 'api:read', resource: API });
    expect(decodeProtectedHeader(granted.access_token).alg).toBe('EdDSA');
    const { payload } = await jwtVerify(
      granted.access_token,
      createRemoteJWKSet(new URL(`${server.issuer}/jwks`)),
      { issuer: server.issuer, audience: API },
    );
    expect(payload.client_id).toBe(created.clientId);
  });
});
