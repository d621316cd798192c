import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSecretMatches } from '../../src/domain/client-secret.ts';
import {
  type ClientsService,
  createClientsService,
  type NewClient,
} from '../../src/domain/clients.service.ts';
import { DomainError } from '../../src/shared/errors.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';

const web = (overrides: Partial<NewClient> = {}): NewClient => ({
  name: 'Web App',
  redirectUris: ['https://app.example.com/callback'],
  ...overrides,
});

describe.each(sqlBackends)('clients on $name storage', (backend) => {
  let database: TestDatabase;
  let clients: ClientsService;

  beforeAll(async () => {
    database = await backend.create();
    clients = createClientsService(database.handle.db);
  });
  afterAll(() => database?.drop());

  const rejection = (input: NewClient) =>
    clients.create(input).then(
      () => expect.fail('the client was created'),
      (error: unknown) => {
        expect(error).toBeInstanceOf(DomainError);
        expect(error).toMatchObject({ code: 'invalid_client_metadata' });
        return (error as DomainError).message;
      },
    );

  it('returns the secret of a confidential client once and stores only its hash', async () => {
    const { client, clientSecret } = await clients.create(web());
    expect(clientSecret).toMatch(/^[\w-]{43}$/);
    const stored = await clients.get(client.client_id);
    const hash = String(stored.secret_hash);
    expect(hash).toMatch(/^sha256:/);
    expect(hash).not.toContain(String(clientSecret));
    expect(JSON.stringify(stored)).not.toContain(String(clientSecret));
    expect(clientSecretMatches(hash, String(clientSecret))).toBe(true);
    expect(clientSecretMatches(hash, `${clientSecret}x`)).toBe(false);
    expect(stored.metadata).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic' });
  });

  it('creates a public client without a secret that authenticates with "none"', async () => {
    const created = await clients.create(web({ public: true }));
    expect(created).not.toHaveProperty('clientSecret');
    expect(created.client.secret_hash).toBeNull();
    expect(created.client.metadata).toMatchObject({ token_endpoint_auth_method: 'none' });
  });

  it.each([
    ['https://app.example.com/cb', 'web'],
    ['http://localhost:8080/cb', 'web'],
    ['http://127.0.0.1:8080/cb', 'web'],
    ['com.example.app:/cb', 'native'],
  ])('accepts the redirect URI %s as a %s application', async (uri, applicationType) => {
    const { client } = await clients.create(web({ redirectUris: [uri] }));
    expect(client.metadata).toMatchObject({
      redirect_uris: [uri],
      application_type: applicationType,
    });
  });

  it.each([
    ['http://example.com/cb', 'must use https'],
    ['https://app.example.com/cb#fragment', 'fragment'],
    ['not a uri', 'absolute URL'],
    ['javascript:alert(1)', 'must use https'],
  ])('rejects the redirect URI %s', async (uri, problem) => {
    const message = await rejection(web({ redirectUris: [uri] }));
    expect(message).toContain(uri);
    expect(message).toContain(problem);
  });

  it('keeps extra CORS origins and the PAR requirement in the metadata oidc-provider reads', async () => {
    const { client } = await clients.create(
      web({
        allowedOrigins: ['https://app.example', 'http://localhost:5173'],
        requirePushedAuthorizationRequests: true,
      }),
    );
    expect(client.metadata).toMatchObject({
      allowed_origins: ['https://app.example', 'http://localhost:5173'],
      require_pushed_authorization_requests: true,
    });
  });

  it.each([
    ['*', 'wildcards'],
    ['https://*.example.com', 'wildcards'],
    ['https://app.example/path', 'origin alone'],
    ['http://app.example', 'must use https'],
    ['null', 'not an origin'],
  ])('rejects the extra origin %s', async (origin, problem) => {
    const message = await rejection(web({ allowedOrigins: [origin] }));
    expect(message).toContain(problem);
  });

  it('rejects client_credentials for a public client', async () => {
    const message = await rejection(
      web({ public: true, grantTypes: ['client_credentials'], redirectUris: [] }),
    );
    expect(message).toContain('client_credentials');
  });

  it('requires a redirect URI for the authorization code grant', async () => {
    const message = await rejection(web({ redirectUris: [] }));
    expect(message).toContain('redirectUris');
  });

  it('creates a client_credentials client without redirect URIs', async () => {
    const { client, clientSecret } = await clients.create(
      web({ grantTypes: ['client_credentials'], redirectUris: [] }),
    );
    expect(clientSecret).toBeDefined();
    expect(client.metadata).toMatchObject({
      grant_types: ['client_credentials'],
      response_types: [],
    });
  });

  it('rotates a secret so that the old one stops matching', async () => {
    const { client, clientSecret: oldSecret } = await clients.create(web());
    const newSecret = await clients.rotateSecret(client.client_id);
    expect(newSecret).not.toBe(oldSecret);
    const hash = String((await clients.get(client.client_id)).secret_hash);
    expect(clientSecretMatches(hash, newSecret)).toBe(true);
    expect(clientSecretMatches(hash, String(oldSecret))).toBe(false);
  });

  it('refuses to rotate the secret of a public client', async () => {
    const { client } = await clients.create(web({ public: true }));
    await expect(clients.rotateSecret(client.client_id)).rejects.toMatchObject({
      code: 'public_client',
    });
    expect((await clients.get(client.client_id)).secret_hash).toBeNull();
  });

  it('deletes a client', async () => {
    const { client } = await clients.create(web());
    await clients.delete(client.client_id);
    expect(await clients.find(client.client_id)).toBeUndefined();
    await expect(clients.delete(client.client_id)).rejects.toMatchObject({
      code: 'client_not_found',
    });
  });

  it('reports an unknown client as client_not_found', async () => {
    const lookup = clients.get('no-such-client');
    await expect(lookup).rejects.toBeInstanceOf(DomainError);
    await expect(lookup).rejects.toMatchObject({ code: 'client_not_found', status: 404 });
  });
});
