import { type Kysely, sql } from 'kysely';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/storage/schema.ts';
import { serverBackends } from '../support/backends.ts';
import { Browser } from '../support/browser.ts';
import {
  authorizationRequest,
  discover,
  LOGIN_FORM,
  REDIRECT_URI,
  requestClientCredentials,
  signInForTokens,
} from '../support/flow.ts';
import { expectNoInternals } from '../support/pages.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

describe.each(serverBackends)(
  'tokens and codes that must be stored on $name storage',
  (backend) => {
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

    /**
     * A token request's new tokens are stored together at the end of the request, in one statement
     * (storage/request-scope.ts). The response must never carry a token that is not stored.
     */
    describe('tokens issued by the token endpoint', () => {
      it('are stored when the response arrives: a refresh and its new tokens work at once', async () => {
        const user = await server.createUser();
        const app = await server.createClient({
          grantTypes: ['authorization_code', 'refresh_token'],
        });
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
        await refuseInserts(db, 'ClientCredentials');
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
          // None of the token response's own headers stay on the error.
          expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
          expect(response.headers.get('cache-control')).toBe('no-store');
        } finally {
          await allowInserts(db);
        }
        const response = await clientCredentials();
        expect(response.status).toBe(200);
        expect(await response.json()).toHaveProperty('access_token');
      });
    });

    /** Codes live in SQL when there is no Redis: the code a sign-in ends with is a deferred write. */
    describe.skipIf(backend.redisUrl !== undefined)(
      'an authorization code that cannot be stored',
      () => {
        it('ends the sign-in on the error page, with no redirect carrying the code', async () => {
          const user = await server.createUser();
          const app = await server.createClient({ firstParty: true });
          const config = await discover(server, app.clientId, app.clientSecret);
          const { db } = server.portcullis.database;
          await refuseInserts(db, 'AuthorizationCode');
          try {
            const browser = new Browser([REDIRECT_URI]);
            const { url } = await authorizationRequest(config, { scope: 'openid' });
            const login = await browser.get(url.toString());
            const page = await browser.submit(login, LOGIN_FORM, {
              email: user.email,
              password: user.password,
            });
            expectNoInternals(page.body);
            expect(page.status).toBe(500);
            expect(page.url).not.toContain(REDIRECT_URI);
            expect(page.headers.get('location')).toBeNull();
            expect(page.headers.get('content-type')).toMatch(/^text\/html/);
            expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
          } finally {
            await allowInserts(db);
          }
        });
      },
    );
  },
);

/** Makes the database refuse to store entries of one model, as a failing write would. */
async function refuseInserts(db: Kysely<Database>, model: string): Promise<void> {
  await sql`
    create function refuse_model() returns trigger language plpgsql as $$
    begin
      if new.model = ${sql.lit(model)} then raise exception 'refused by a test trigger'; end if;
      return new;
    end $$
  `.execute(db);
  await sql`
    create trigger refuse_model before insert on oidc_payloads
    for each row execute function refuse_model()
  `.execute(db);
}

async function allowInserts(db: Kysely<Database>): Promise<void> {
  await sql`drop trigger refuse_model on oidc_payloads`.execute(db);
  await sql`drop function refuse_model()`.execute(db);
}
