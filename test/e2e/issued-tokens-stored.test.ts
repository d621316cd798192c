import { sql } from 'kysely';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverBackends } from '../support/backends.ts';
import { discover, requestClientCredentials, signInForTokens } from '../support/flow.ts';
import { expectNoInternals } from '../support/pages.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * A token request's new tokens are stored together at the end of the request, in one statement
 * (storage/request-scope.ts). The response must never carry a token that is not stored.
 */
describe.each(serverBackends)('tokens issued by the token endpoint on $name storage', (backend) => {
  let server: TestServer;
  let service: { clientId: string; clientSecret?: string };

  beforeAll(async () => {
    server = await startTestServer(backend);
    service = await server.createClient({
      name: 'Service',
      redirectUris: [],
      grantTypes: ['client_credentials'],
    });
  });
  afterAll(() => server?.close());

  const clientCredentials = () => requestClientCredentials(server, service);

  it('are stored when the response arrives: a refresh and its new tokens work at once', async () => {
    const user = await server.createUser();
    const app = await server.createClient({ grantTypes: ['authorization_code', 'refresh_token'] });
    const config = await discover(server, app.clientId, app.clientSecret);
    const tokens = await signInForTokens(config, user).then((signedIn) => signedIn.tokens);
    const refreshed = await oidc.refreshTokenGrant(config, String(tokens.refresh_token));
    const [access, refresh] = await Promise.all([
      oidc.tokenIntrospection(config, refreshed.access_token),
      oidc.tokenIntrospection(config, String(refreshed.refresh_token)),
    ]);
    expect(access.active).toBe(true);
    expect(refresh.active).toBe(true);
    const again = await oidc.refreshTokenGrant(config, String(refreshed.refresh_token));
    expect(again.access_token).toBeTruthy();
  });

  it('fail the request when they cannot be stored: an error, and no token in the answer', async () => {
    const { db } = server.portcullis.database;
    // The database refuses to store client-credentials tokens.
    await sql`
      create function refuse_client_credentials() returns trigger language plpgsql as $$
      begin
        if new.model = 'ClientCredentials' then
          raise exception 'refused by a test trigger';
        end if;
        return new;
      end $$
    `.execute(db);
    await sql`
      create trigger refuse_client_credentials before insert on oidc_payloads
      for each row execute function refuse_client_credentials()
    `.execute(db);
    try {
      const response = await clientCredentials();
      const text = await response.text();
      expectNoInternals(text);
      expect(response.status).toBe(500);
      expect(JSON.parse(text)).toEqual({
        error: 'server_error',
        error_description: expect.any(String),
      });
      expect(text).not.toContain('access_token');
    } finally {
      await sql`drop trigger refuse_client_credentials on oidc_payloads`.execute(db);
      await sql`drop function refuse_client_credentials()`.execute(db);
    }
    const response = await clientCredentials();
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty('access_token');
  });
});
