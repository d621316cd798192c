export interface ClientCacheOptions {
  maxEntries?: number;
  /** A bound on staleness should a change ever go unannounced; changes normally evict at once. */
  maxAgeMs?: number;
  now?: () => number;
}

/**
 * Client metadata by client_id, kept in memory only while something tells the cache about every
 * change (between `live(true)` and `live(false)`): Postgres NOTIFY, see client-changes.ts. While not live (no change feed, or its
 * connection dropped) every lookup reads the database, as without a cache.
 *
 * A lookup that was already reading the database when a change arrived is not cached: it may
 * have read the row as it was before the change. Only hits are cached, so an unknown client_id
 * costs the same as today and cannot fill the cache.
 */
export function createClientCache<T>(options: ClientCacheOptions = {}) {
  const maxEntries = options.maxEntries ?? 1_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  // Kept as JSON text and parsed on each hit: every caller gets its own copy, and parsing is
  // cheaper than a structured clone. Client metadata is JSON (it comes from a jsonb column).
  const entries = new Map<string, { json: string; storedAt: number }>();
  let generation = 0;
  let announced = false;

  const cached = (clientId: string): T | undefined => {
    const entry = entries.get(clientId);
    if (!entry) return undefined;
    entries.delete(clientId);
    if (now() - entry.storedAt > maxAgeMs) return undefined;
    entries.set(clientId, entry);
    return JSON.parse(entry.json) as T;
  };

  const store = (clientId: string, value: T) => {
    entries.set(clientId, { json: JSON.stringify(value), storedAt: now() });
    if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  };

  return {
    async get(clientId: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
      const hit = announced ? cached(clientId) : undefined;
      if (hit !== undefined) return hit;
      const started = generation;
      const value = await load();
      if (value !== undefined && announced && generation === started) store(clientId, value);
      return value;
    },

    /** A client changed or was deleted; without an id, every client did. */
    changed(clientId?: string): void {
      generation += 1;
      if (clientId) entries.delete(clientId);
      else entries.clear();
    },

    /** Whether every change is being announced. Either way, what was cached is dropped. */
    live(isLive: boolean): void {
      generation += 1;
      announced = isLive;
      entries.clear();
    },

    get size(): number {
      return entries.size;
    },
  };
}

export type ClientCache<T> = ReturnType<typeof createClientCache<T>>;
