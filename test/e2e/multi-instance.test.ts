import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccountsService } from '../../src/domain/accounts.service.ts';
import { createClientsService } from '../../src/domain/clients.service.ts';
import {
  createTestRedis,
  sqlBackends,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  type TestDatabase,
  type TestRedis,
} from '../support/backends.ts';
import { type Balancer, startBalancer } from '../support/balancer.ts';
import { Browser, findForm } from '../support/browser.ts';
import {
  authorizationRequest,
  CONSENT_FORM,
  LOGIN_FORM,
  REDIRECT_URI,
  redeem,
  signIn,
  signInForTokens,
} from '../support/flow.ts';
import { type ServerProcess, startServerProcess } from '../support/processes.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const POST_LOGOUT_REDIRECT_URI = 'http://localhost:8080/signed-out';
const MAX_FAILURES = 4;
const GRACE_SECONDS = 2;
const postgres = sqlBackends.find((backend) => backend.name === 'postgres');
type Instance = 'A' | 'B';

describe.skipIf(!TEST_DATABASE_URL || !TEST_REDIS_URL || !postgres)(
  'two server processes behind one issuer, sharing Postgres and Redis (needs TEST_DATABASE_URL and TEST_REDIS_URL)',
  () => {
    let database: TestDatabase;
    let redis: TestRedis;
    let dataDir: TempDir;
    let balancer: Balancer;
    const instances = new Map<Instance, ServerProcess>();
    let config: oidc.Configuration;
    let client: { id: string; secret: string };
    let user: { id: string; email: string; password: string };

    beforeAll(async () => {
      database = await (postgres as (typeof sqlBackends)[number]).create();
      redis = await createTestRedis(String(TEST_REDIS_URL));
      dataDir = makeTempDir();
      balancer = await startBalancer();
      const env = {
        DATABASE_URL: String(database.url),
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: redis.prefix,
        PORTCULLIS_ISSUER: balancer.url,
        PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        PORTCULLIS_COOKIE_SECRETS: randomBytes(32).toString('base64url'),
        PORTCULLIS_REFRESH_TOKEN_REUSE_GRACE_SECONDS: String(GRACE_SECONDS),
        PORTCULLIS_LOGIN_MAX_FAILURES: String(MAX_FAILURES),
        PORTCULLIS_CLIENT_AUTH_MAX_FAILURES: String(MAX_FAILURES),
      };
      for (const name of ['A', 'B'] as const) {
        const instance = await startServerProcess(dataDir.path, { env });
        instances.set(name, instance);
        balancer.add(name, instance.url);
      }
      ({ config, client, user } = await provision(database, balancer.url));
    });

    afterAll(async () => {
      await Promise.all([...instances.values()].map((instance) => instance.stop()));
      await balancer?.close();
      await redis?.drop();
      await database?.drop();
      dataDir?.remove();
    });

    /** The same client, talking straight to one instance (the URL's port rewritten). */
    function via(name: Instance): oidc.Configuration {
      const port = new URL(String(instances.get(name)?.url)).port;
      const direct = new oidc.Configuration(
        config.serverMetadata(),
        client.id,
        client.secret,
        oidc.ClientSecretBasic(client.secret),
      );
      oidc.allowInsecureRequests(direct);
      direct[oidc.customFetch] = (url, options) => {
        const target = new URL(url);
        target.port = port;
        return fetch(target, options);
      };
      return direct;
    }

    const servedBy = (method: string, path: RegExp) =>
      balancer.served
        .filter((request) => request.method === method && path.test(request.path))
        .map((request) => request.instance);

    it('completes on B a sign-in started on A', async () => {
      const browser = new Browser([REDIRECT_URI]);
      const request = await authorizationRequest(config, { scope: 'openid email' });
      balancer.route('A');
      const loginPage = await browser.get(request.url.href);
      expect(findForm(loginPage.body, LOGIN_FORM)).toBeDefined();

      balancer.route('B');
      let page = await browser.submit(loginPage, LOGIN_FORM, {
        email: user.email,
        password: user.password,
      });
      page = await browser.submit(page, CONSENT_FORM);

      const callbackUrl = new URL(page.url);
      expect(callbackUrl.searchParams.get('code')).toBeTruthy();
      const uid = new URL(loginPage.url).pathname.split('/')[2];
      expect(servedBy('GET', new RegExp(`^/interaction/${uid}$`))).toEqual(['A']);
      expect(servedBy('POST', new RegExp(`^/interaction/${uid}/login$`))).toEqual(['B']);
      const tokens = await redeem(config, { browser, callbackUrl, ...request });
      expect(tokens.claims()?.sub).toBe(user.id);
    });

    it('redeems at B a code issued by A, and refuses it at A afterwards', async () => {
      balancer.route('A');
      const signedIn = await signIn(config, user);

      const tokens = await redeem(via('B'), signedIn);
      expect(tokens.claims()?.sub).toBe(user.id);
      await expect(redeem(via('A'), signedIn)).rejects.toMatchObject({ error: 'invalid_grant' });
    });

    it('gives one token response for a code redeemed at A and B at the same time', async () => {
      balancer.route('A');
      const signedIn = await signIn(config, user);

      const results = await Promise.allSettled([
        redeem(via('A'), signedIn),
        redeem(via('B'), signedIn),
      ]);

      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const [refused] = results.filter((result) => result.status === 'rejected');
      expect(refused?.reason).toMatchObject({ error: 'invalid_grant' });
    });

    it('answers at B a replay within the window with the successor A issued', async () => {
      balancer.route('A');
      const { tokens } = await signInForTokens(config, user);
      const rotated = await oidc.refreshTokenGrant(via('A'), String(tokens.refresh_token));

      const replayed = await oidc.refreshTokenGrant(via('B'), String(tokens.refresh_token));

      expect(replayed.refresh_token).toBe(rotated.refresh_token);
      expect(replayed.access_token).not.toBe(rotated.access_token);
      expect((await oidc.tokenIntrospection(via('A'), replayed.access_token)).active).toBe(true);
    });

    it('detects at B the reuse of a refresh token rotated at A and revokes the grant', async () => {
      balancer.route('A');
      const { tokens } = await signInForTokens(config, user);
      const rotated = await oidc.refreshTokenGrant(via('A'), String(tokens.refresh_token));
      await sleep(GRACE_SECONDS * 1000 + 500);

      await expect(
        oidc.refreshTokenGrant(via('B'), String(tokens.refresh_token)),
      ).rejects.toMatchObject({ error: 'invalid_grant' });

      await expect(
        oidc.refreshTokenGrant(via('A'), String(rotated.refresh_token)),
      ).rejects.toMatchObject({ error: 'invalid_grant' });
      const introspected = await oidc.tokenIntrospection(via('B'), rotated.access_token);
      expect(introspected.active).toBe(false);
    });

    it('ends on B the session that was logged out on A', async () => {
      const browser = new Browser([REDIRECT_URI, POST_LOGOUT_REDIRECT_URI]);
      const silentSignIn = async () => {
        const { url } = await authorizationRequest(config, { prompt: 'none' });
        return new URL((await browser.get(url.href)).url).searchParams;
      };
      balancer.route('A');
      const { tokens } = await signInForTokens(config, user, { browser });
      balancer.route('B');
      expect((await silentSignIn()).get('code')).toBeTruthy();

      balancer.route('A');
      const endSession = oidc.buildEndSessionUrl(config, {
        id_token_hint: String(tokens.id_token),
        post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
      });
      const confirmation = await browser.get(endSession.href);
      const done = await browser.submit(confirmation, /\/session\/end\/confirm$/, {
        logout: 'yes',
      });
      expect(done.url).toMatch(new RegExp(`^${POST_LOGOUT_REDIRECT_URI}`));

      balancer.route('B');
      const after = await silentSignIn();
      expect(after.get('error')).toBe('login_required');
      expect(servedBy('POST', /^\/session\/end\/confirm$/).at(-1)).toBe('A');
      expect(servedBy('GET', /^\/auth$/).at(-1)).toBe('B');
    });

    it('locks an email out on A and B alike after failures split between them', async () => {
      const email = `locked-${randomBytes(3).toString('hex')}@example.com`;
      const password = 'correct horse battery staple';
      await createAccountsService(database.handle.db).create({ email, password, name: 'Locked' });
      const browser = new Browser([REDIRECT_URI]);
      balancer.route('A');
      let page = await browser.get((await authorizationRequest(config)).url.href);
      const statuses: number[] = [];
      const attempts = [...Array.from({ length: MAX_FAILURES }, () => 'wrong'), password, password];
      for (const [index, attempt] of attempts.entries()) {
        balancer.route(index % 2 ? 'B' : 'A');
        page = await browser.submit(page, LOGIN_FORM, { email, password: attempt });
        statuses.push(page.status);
        if (page.status === 429) expect(Number(page.headers.get('retry-after'))).toBeGreaterThan(0);
      }

      expect(statuses).toEqual([...Array.from({ length: MAX_FAILURES }, () => 401), 429, 429]);
      expect(servedBy('POST', /\/login$/).slice(-2)).toEqual(['A', 'B']);
    });

    it('answers 429 on A and B once wrong client secrets sent to both reach the limit', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < MAX_FAILURES + 2; i += 1) {
        const port = new URL(String(instances.get(i % 2 ? 'B' : 'A')?.url)).port;
        const response = await fetch(`http://127.0.0.1:${port}/token`, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: `Basic ${Buffer.from(`${client.id}:wrong-${i}`).toString('base64')}`,
          },
          body: 'grant_type=client_credentials',
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([...Array.from({ length: MAX_FAILURES }, () => 401), 429, 429]);
    });
  },
);

/** A user and a confidential client in the shared database, and the client's configuration. */
async function provision(database: TestDatabase, issuer: string) {
  const { db } = database.handle;
  const email = `multi-${randomBytes(3).toString('hex')}@example.com`;
  const password = 'correct horse battery staple';
  const account = await createAccountsService(db).create({ email, password, name: 'Multi' });
  const { client, clientSecret } = await createClientsService(db).create({
    name: 'Two Instances',
    redirectUris: [REDIRECT_URI],
    postLogoutRedirectUris: [POST_LOGOUT_REDIRECT_URI],
  });
  const secret = String(clientSecret);
  const config = await oidc.discovery(
    new URL(issuer),
    client.client_id,
    { client_secret: secret },
    oidc.ClientSecretBasic(secret),
    { execute: [oidc.allowInsecureRequests] },
  );
  return {
    config,
    client: { id: client.client_id, secret },
    user: { id: account.id, email, password },
  };
}
