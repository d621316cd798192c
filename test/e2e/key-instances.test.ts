import { decodeProtectedHeader } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SqlBackend, sqlBackends } from '../support/backends.ts';
import { discover } from '../support/flow.ts';
import { API, ON_REQUEST_KEYS, sleep, testResourceServers } from '../support/rotation.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

const postgres = sqlBackends.find((backend) => backend.name === 'postgres');

// Embedded storage is one process by design; instances share keys only through Postgres.
describe.skipIf(!postgres)('two instances on postgres storage', () => {
  const backend = postgres as SqlBackend;
  let first: TestServer;
  let second: TestServer;
  let clients: oidc.Configuration[];

  beforeAll(async () => {
    first = await startTestServer(backend, ON_REQUEST_KEYS, {
      resourceServers: testResourceServers,
    });
    second = await startTestServer(
      backend,
      {
        ...ON_REQUEST_KEYS,
        // The first instance's job does the promoting; this one only has to notice.
        keys: { ...ON_REQUEST_KEYS.keys, jobIntervalSeconds: 3600 },
        databaseUrl: first.config.databaseUrl,
        keyEncryptionKey: first.config.keyEncryptionKey,
      },
      // The second instance learns of changes by polling alone.
      { resourceServers: testResourceServers, pollKeysOnly: true },
    );
    const created = await first.createClient({
      grantTypes: ['client_credentials'],
      redirectUris: [],
    });
    clients = await Promise.all(
      [first, second].map((server) => discover(server, created.clientId, created.clientSecret)),
    );
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  const kidFrom = async (client: oidc.Configuration) => {
    const granted = await oidc.clientCredentialsGrant(client, { scope: 'api:read', resource: API });
    return String(decodeProtectedHeader(granted.access_token).kid);
  };

  it('share one set of keys and converge on a new signing key within the polling interval, notified or not', async () => {
    const db = first.portcullis.database.db;
    const [a, b] = await Promise.all(clients.map(kidFrom));
    expect(a).toBe(b);

    await second.portcullis.keys.rotation.rotateNow('cli');
    const next = (
      await db
        .selectFrom('signing_keys')
        .select('kid')
        .where('alg', '=', 'ES256')
        .where('state', '=', 'next')
        .executeTakeFirstOrThrow()
    ).kid;

    const switchedAt: (number | undefined)[] = [undefined, undefined];
    const deadline = Date.now() + 10_000;
    while (switchedAt.includes(undefined) && Date.now() < deadline) {
      const kids = await Promise.all(clients.map(kidFrom));
      kids.forEach((kid, i) => {
        if (kid === next && switchedAt[i] === undefined) switchedAt[i] = Date.now();
      });
      await sleep(50);
    }
    const promoted = await db
      .selectFrom('signing_keys')
      .select('activated_at')
      .where('kid', '=', next)
      .executeTakeFirstOrThrow();
    const activatedAt = (promoted.activated_at as Date).getTime();
    const withinMs = ON_REQUEST_KEYS.keys.watchIntervalSeconds * 1000 + 500;
    for (const at of switchedAt) {
      expect(at).toBeDefined();
      expect((at as number) - activatedAt).toBeLessThan(withinMs);
    }
    const audit = await db
      .selectFrom('audit_events')
      .select(['type', 'actor'])
      .where('subject', '=', next)
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { type: 'signing_key.created', actor: 'cli' },
      { type: 'signing_key.promoted', actor: 'job' },
    ]);
  });
});
