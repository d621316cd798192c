import { AsyncLocalStorage } from 'node:async_hooks';
import type { AccountProfile } from './accounts.repository.ts';

/** A Grant row as read ahead, in the shape the SQL adapter reads rows. */
export interface GrantRow {
  payload: Record<string, unknown>;
  consumed_at: Date | null;
  now: Date;
}

/**
 * What one request has read ahead, by id. `null` means read and not there (or expired), which is
 * as final for this request as a row.
 */
export interface ReadAhead {
  grants: Map<string, GrantRow | null>;
  accounts: Map<string, AccountProfile | null>;
}

const store = new AsyncLocalStorage<ReadAhead>();

/**
 * Runs one request with a read-ahead of its own. A request that reads a token (userinfo, refresh,
 * introspection, the code exchange on SQL) next reads the token's grant and its account, one
 * round trip each; the SQL adapter reads both in the statement that reads the token and leaves
 * them here, where the grant adapter and the account lookup take them. The three rows are read in
 * one snapshot, so what the request sees is what a single read at that moment would have seen.
 */
export function withReadAhead<T>(fn: () => T): T {
  return store.run({ grants: new Map(), accounts: new Map() }, fn);
}

/** The read-ahead of the request in progress; undefined outside one (CLI, jobs). */
export function currentReadAhead(): ReadAhead | undefined {
  return store.getStore();
}

/**
 * Takes what was read ahead for `id`, at most once: a second read in the same request (after a
 * write, say) goes to the database. undefined when nothing was read ahead for it.
 */
export function takeReadAhead<T>(entries: Map<string, T | null>, id: string): T | null | undefined {
  const entry = entries.get(id);
  if (entry !== undefined) entries.delete(id);
  return entry;
}
