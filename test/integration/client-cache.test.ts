import { Kysely, PostgresDialect, sql } from 'kysely';
import type { AdapterPayload } from 'oidc-provider';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashClientSecret } from '../../src/domain/client-secret.ts';
import { type ClientsService, createClientsService } from '../../src/domain/clients.service.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { createClientCache } from '../../src/storage/client-cache.ts';
import { APPLICATION_NAME, watchClientChanges } from '../../src/storage/client-changes.ts';
import { createClientAdapter } from '../../src/storage/oidc-client-adapter.ts';
import type { Database } from '../../src/storage/schema.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';

const postgres = sqlBackends.find((backend) => backend.name === 'postgres');

/** The adapter as the server wires it, on a connection pool of its own that counts queries. */
function cachedAdapter(url: string) {
  let queries = 0;
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: () => {
      queries += 1;
    },
  });
  const cache = createClientCache<AdapterPayload>();
  const states: boolean[] = [];
  const stop = watchClientChanges(
    url,
    {
      changed: (id) => cache.changed(id),
      live: (isLive) => {
        states.push(isLive);
        cache.live(isLive);
      },
    },
    createLogger('silent'),
  );
  return {
    adapter: createClientAdapter(db, cache),
    states,
    queries: () => queries,
    async close() {
      await stop();
      await db.destroy();
    },
  };
}

describe.skipIf(!postgres)('client lookups cached while Postgres announces changes', () => {
  let database: TestDatabase;
  let clients: ClientsService;
  let server: ReturnType<typeof cachedAdapter>;

  beforeAll(async () => {
    database = await (postgres as NonNullable<typeof postgres>).create();
    clients = createClientsService(database.handle.db);
  });
  afterEach(() => server?.close());
  afterAll(() => database?.drop());

  const start = async () => {
    server = cachedAdapter(database.url as string);
    await vi.waitFor(() => expect(server.states.at(-1)).toBe(true), { timeout: 5_000 });
  };
  const service = () => clients.create({ name: 'Service', grantTypes: ['client_credentials'] });

  it('answers repeated lookups of a client from memory', async () => {
    await start();
    const { client } = await service();
    await server.adapter.find(client.client_id);
    const before = server.queries();
    const found = await server.adapter.find(client.client_id);
    expect(found?.client_id).toBe(client.client_id);
    expect(server.queries()).toBe(before);
  });

  it('sees a secret rotated by another process on the next lookups', async () => {
    await start();
    const { client } = await service();
    await server.adapter.find(client.client_id);
    const secret = await clients.rotateSecret(client.client_id);
    await vi.waitFor(async () => {
      const found = await server.adapter.find(client.client_id);
      expect(found?.client_secret).toBe(hashClientSecret(secret));
    });
  });

  it('forgets a deleted client', async () => {
    await start();
    const { client } = await service();
    await server.adapter.find(client.client_id);
    await clients.delete(client.client_id);
    await vi.waitFor(async () => {
      expect(await server.adapter.find(client.client_id)).toBeUndefined();
    });
  });

  it('reads the database while its LISTEN connection is lost, and caches again once back', async () => {
    await start();
    const { client } = await service();
    await server.adapter.find(client.client_id);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity
              where application_name = ${APPLICATION_NAME} and datname = current_database()`.execute(
      database.handle.db,
    );
    await vi.waitFor(() => expect(server.states.at(-1)).toBe(false));
    const before = server.queries();
    await server.adapter.find(client.client_id);
    await server.adapter.find(client.client_id);
    expect(server.queries()).toBe(before + 2);
    await vi.waitFor(() => expect(server.states.at(-1)).toBe(true), { timeout: 10_000 });
  });

  it('never caches when the clients table does not announce its changes', async () => {
    await sql`alter table clients disable trigger clients_announce_change`.execute(
      database.handle.db,
    );
    try {
      server = cachedAdapter(database.url as string);
      const { client } = await service();
      await new Promise((resolve) => setTimeout(resolve, 500));
      const before = server.queries();
      await server.adapter.find(client.client_id);
      await server.adapter.find(client.client_id);
      expect(server.queries()).toBe(before + 2);
      expect(server.states).not.toContain(true);
    } finally {
      await sql`alter table clients enable trigger clients_announce_change`.execute(
        database.handle.db,
      );
    }
  });
});
