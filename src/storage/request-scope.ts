import { AsyncLocalStorage } from 'node:async_hooks';
import type { AccountProfile } from './accounts.repository.ts';

/** A Grant row as read ahead, in the shape the SQL adapter reads rows. */
export interface GrantRow {
  payload: Record<string, unknown>;
  consumed_at: Date | null;
  now: Date;
}

/** One oidc_payloads row to insert or replace, its payload serialised when it was written. */
export interface PayloadWrite {
  model: string;
  id: string;
  json: string;
  grantId: string | null;
  userCode: string | null;
  uid: string | null;
  expiresAt: Date | null;
}

/**
 * What storage keeps for one request (a protocol request handled by oidc-provider).
 *
 * Read-ahead: a request that reads a token (userinfo, refresh, introspection, the code exchange
 * on SQL) next reads the token's grant and its account, one round trip each. The SQL adapter
 * reads both in the statement that reads the token and leaves them here, by id, where the grant
 * adapter and the account lookup take them, once. `null`: read, and not there or expired. The
 * three rows come from one snapshot, so the request sees what one read at that moment would.
 *
 * Deferred writes: the tokens a request issues (see DEFERRED_MODELS in the SQL adapter) reach
 * nobody but this request's client, through its response. They are written together in one
 * statement when the request's handling ends, before the response leaves; if that write fails,
 * the client gets an error instead of tokens that were never stored. Any other storage call of
 * the request writes them first, so the request always reads its own writes.
 */
export interface RequestScope {
  grants: Map<string, GrantRow | null>;
  accounts: Map<string, AccountProfile | null>;
  /** By model and id: a second write of the same entry replaces the first. */
  writes: Map<string, PayloadWrite>;
  flushing: Promise<void> | undefined;
  /** Set when a write of deferred rows failed: the request fails, even if a caller caught it. */
  failed: { error: unknown } | undefined;
  write(rows: PayloadWrite[]): Promise<void>;
}

const store = new AsyncLocalStorage<RequestScope>();

/**
 * The runner of request scopes: `run(fn)` runs one request's handling in a scope of its own and
 * writes what it deferred when `fn` settles (also when it throws: what was issued is stored, as
 * it would have been without deferral). `write` stores deferred rows in one statement.
 */
export function requestScopes(write: (rows: PayloadWrite[]) => Promise<void>) {
  return async function run<T>(fn: () => Promise<T>): Promise<T> {
    const scope: RequestScope = {
      grants: new Map(),
      accounts: new Map(),
      writes: new Map(),
      flushing: undefined,
      failed: undefined,
      write,
    };
    return store.run(scope, async () => {
      let result: T;
      try {
        result = await fn();
      } catch (error) {
        await settleWrites(scope).catch(() => {});
        throw error;
      }
      // Also when fn caught a failed write and answered anyway: no tokens that were not stored.
      await settleWrites(scope);
      return result;
    });
  };
}

/** The scope of the request in progress; undefined outside one (CLI, jobs, our own routes). */
export function currentScope(): RequestScope | undefined {
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

/** Writes what the scope deferred, and waits for a write already under way; then returns. */
export async function settleWrites(scope: RequestScope | undefined): Promise<void> {
  while (scope && !scope.failed && (scope.flushing || scope.writes.size > 0)) {
    if (!scope.flushing) {
      const rows = [...scope.writes.values()];
      scope.writes.clear();
      scope.flushing = scope.write(rows).then(
        () => {
          scope.flushing = undefined;
        },
        (error: unknown) => {
          scope.flushing = undefined;
          scope.failed = { error };
        },
      );
    }
    await scope.flushing;
  }
  // Rows that could not be stored are lost: every later call, and the request, fails with it,
  // and nothing more is written for the request.
  if (scope?.failed) throw scope.failed.error;
}
