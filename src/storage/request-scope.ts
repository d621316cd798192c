import { AsyncLocalStorage } from 'node:async_hooks';
import type { AccountProfile, AccountsReadAhead } from './accounts.repository.ts';
import type { PayloadRow, PayloadWrite } from './oidc-payload-rows.ts';

/**
 * What storage keeps for one request (a protocol request handled by oidc-provider).
 *
 * Read-ahead: a request that reads a token (userinfo, refresh, introspection, the code exchange
 * on SQL) next reads the token's grant and its account, one round trip each. The SQL adapter
 * reads both in the statement that reads the token and leaves them here, by id, where the grant
 * adapter and the account lookup take them, once. `null`: read, and not there or expired. The
 * three rows come from one snapshot, so the request sees what one read at that moment would.
 *
 * Deferred writes: the tokens a request issues (see isDeferred in oidc-payload-writes.ts) reach
 * nobody but this request's client, through its response. They are written together in one
 * statement when the request's handling ends, before the response leaves; if that write fails,
 * the client gets an error instead of tokens that were never stored. Any other storage call of
 * the request writes them first, so the request always reads its own writes.
 */
export interface RequestScope {
  grants: Map<string, PayloadRow | null>;
  accounts: AccountsReadAhead;
  /** By model and id: a second write of the same entry replaces the first. */
  writes: Map<string, PayloadWrite>;
  flushing: Promise<void> | undefined;
  /**
   * Set when the request consumed a refresh token that another request had consumed first,
   * within the reuse grace window: its answer is that request's successor (refresh-successors.ts).
   */
  replayedRefresh: boolean;
  /** Set when a write of deferred rows failed: the request fails, even if a caller caught it. */
  failed: { error: unknown } | undefined;
  write(rows: PayloadWrite[]): Promise<void>;
}

/**
 * How the two kinds of oidc-provider callback find the scope of their request. `findAccount`
 * gets the request's context, so the scope is kept by it (a parameter: accountsReadAhead).
 * Adapter methods get an id and nothing else, so for them, and only for them, the scope is also
 * kept in AsyncLocalStorage (currentScope, read by oidc-sql-adapter.ts alone).
 */
const byRequest = new WeakMap<object, RequestScope>();
const forAdapters = new AsyncLocalStorage<RequestScope>();

/**
 * The runner of request scopes: `run(request, fn)` runs one request's handling (`request` is its
 * context, which oidc-provider hands to findAccount) in a scope of its own and writes what it
 * deferred when `fn` settles (also when it throws: what was issued is stored, as it would have
 * been without deferral). `write` stores deferred rows in one statement.
 */
export function requestScopes(write: (rows: PayloadWrite[]) => Promise<void>) {
  return async function run<T>(request: object, fn: () => Promise<T>): Promise<T> {
    const scope: RequestScope = {
      grants: new Map(),
      accounts: new Map(),
      writes: new Map(),
      flushing: undefined,
      replayedRefresh: false,
      failed: undefined,
      write,
    };
    byRequest.set(request, scope);
    return forAdapters.run(scope, async () => {
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

/** The scope of the request in progress, for the SQL adapter; undefined outside one. */
export function currentScope(): RequestScope | undefined {
  return forAdapters.getStore();
}

/** The accounts read ahead in the scope of `request`; undefined outside one. */
export function accountsReadAhead(request: object): AccountsReadAhead | undefined {
  return byRequest.get(request)?.accounts;
}

/** Leaves the grant and account read with a token for the lookups of this request to take. */
export function keepReadAhead(
  scope: RequestScope,
  related: {
    grant?: { id: string; row: PayloadRow | null } | undefined;
    account?: { id: string; row: AccountProfile | null } | undefined;
  },
): void {
  if (related.grant) scope.grants.set(related.grant.id, related.grant.row);
  if (related.account) scope.accounts.set(related.account.id, related.account.row);
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
