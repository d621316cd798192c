import { describe, expect, it } from 'vitest';
import { createClientCache } from '../../src/storage/client-cache.ts';

type Payload = { client_id: string; client_secret: string; redirect_uris?: string[] };

/** A loader that counts its reads and answers what `rows` holds at the time of the read. */
function table(rows: Record<string, Payload>) {
  let reads = 0;
  return {
    load: (id: string) => async () => {
      reads += 1;
      const row = rows[id];
      return row ? structuredClone(row) : undefined;
    },
    get reads() {
      return reads;
    },
  };
}

const client = (secret: string): Payload => ({ client_id: 'app', client_secret: secret });

describe('client cache', () => {
  it('reads the database every time while changes are not announced', async () => {
    const cache = createClientCache<Payload>();
    const db = table({ app: client('s1') });
    await cache.get('app', db.load('app'));
    await cache.get('app', db.load('app'));
    expect(db.reads).toBe(2);
  });

  it('serves a client from memory while changes are announced', async () => {
    const cache = createClientCache<Payload>();
    cache.live(true);
    const db = table({ app: client('s1') });
    await cache.get('app', db.load('app'));
    expect(await cache.get('app', db.load('app'))).toEqual(client('s1'));
    expect(db.reads).toBe(1);
  });

  it('reads a changed client again: a rotated secret is never served from memory', async () => {
    const cache = createClientCache<Payload>();
    cache.live(true);
    const rows = { app: client('old') };
    const db = table(rows);
    await cache.get('app', db.load('app'));
    rows.app = client('new');
    cache.changed('app');
    expect(await cache.get('app', db.load('app'))).toEqual(client('new'));
  });

  it('forgets every client when told the whole table changed', async () => {
    const cache = createClientCache<Payload>();
    cache.live(true);
    const db = table({ app: client('s1') });
    await cache.get('app', db.load('app'));
    cache.changed(undefined);
    await cache.get('app', db.load('app'));
    expect(db.reads).toBe(2);
  });

  it('does not keep a read that a change overtook (it may hold the old row)', async () => {
    const cache = createClientCache<Payload>();
    cache.live(true);
    const rows = { app: client('old') };
    const db = table(rows);
    let release = () => {};
    const slowRead = cache.get('app', async () => {
      const stale = structuredClone(rows.app);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return stale;
    });
    rows.app = client('new');
    cache.changed('app');
    release();
    expect(await slowRead).toEqual(client('old'));
    expect(await cache.get('app', db.load('app'))).toEqual(client('new'));
  });

  it('drops everything and stops caching when the change feed is lost', async () => {
    const cache = createClientCache<Payload>();
    cache.live(true);
    const db = table({ app: client('s1') });
    await cache.get('app', db.load('app'));
    cache.live(false);
    expect(cache.size).toBe(0);
    await cache.get('app', db.load('app'));
    await cache.get('app', db.load('app'));
    expect(db.reads).toBe(3);
  });

  it('never caches an unknown client', async () => {
    const cache = createClientCache<Payload>();
    cache.live(true);
    const rows: Record<string, Payload> = {};
    const db = table(rows);
    expect(await cache.get('app', db.load('app'))).toBeUndefined();
    rows.app = client('s1');
    expect(await cache.get('app', db.load('app'))).toEqual(client('s1'));
  });

  it('reads a client again once it is older than the maximum age', async () => {
    let now = 0;
    const cache = createClientCache<Payload>({ maxAgeMs: 1_000, now: () => now });
    cache.live(true);
    const db = table({ app: client('s1') });
    await cache.get('app', db.load('app'));
    now = 1_001;
    await cache.get('app', db.load('app'));
    expect(db.reads).toBe(2);
  });

  it('keeps at most maxEntries clients, evicting the least recently used', async () => {
    const cache = createClientCache<Payload>({ maxEntries: 2 });
    cache.live(true);
    const db = table({ a: client('a'), b: client('b'), c: client('c') });
    await cache.get('a', db.load('a'));
    await cache.get('b', db.load('b'));
    await cache.get('a', db.load('a'));
    await cache.get('c', db.load('c'));
    expect(cache.size).toBe(2);
    await cache.get('a', db.load('a'));
    expect(db.reads).toBe(3);
    await cache.get('b', db.load('b'));
    expect(db.reads).toBe(4);
  });

  it('hands out copies, so a caller changing its payload changes nothing cached', async () => {
    const cache = createClientCache<Payload>();
    cache.live(true);
    const db = table({ app: { ...client('s1'), redirect_uris: ['https://a.example/cb'] } });
    const first = await cache.get('app', db.load('app'));
    first?.redirect_uris?.push('https://evil.example/cb');
    const second = await cache.get('app', db.load('app'));
    expect(second?.redirect_uris).toEqual(['https://a.example/cb']);
  });
});
