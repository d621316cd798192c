import { type RawBuilder, sql } from 'kysely';
import type { PayloadRow } from './oidc-payload-rows.ts';

/**
 * The refresh-token reuse grace rule, the only place it is written.
 *
 * A client that refreshes twice at once (two tabs, a retry) must not lose its session to reuse
 * detection. So for `seconds` after a refresh token is first consumed, it still reads as
 * unconsumed and may be consumed again; every consumption keeps the first one's time, so the
 * window never slides. After the window, the token reads as consumed, a second consumption is
 * refused (invalid_grant) and oidc-provider revokes the grant. 0 means no window: the second
 * consumption is refused at once. Every model but RefreshToken has no window.
 *
 * The window is measured against the database's clock, never this process's: servers whose
 * clocks disagree agree on it. Hence two forms of the one rule, side by side here: in SQL for the
 * statement that consumes (it must decide under the row lock, in one statement, see
 * oidc-payload-consume.ts), and in TypeScript for a row already read (with the database's clock
 * read in the same statement: `PayloadRow.now`).
 *
 * Refresh tokens live in SQL only (oidc-adapter-factory.ts: they must survive a Redis flush), so
 * the Redis adapter, whose models never have a window, does not apply it.
 */
export interface ConsumeGrace {
  /** Whether an entry consumed within the window may be consumed again. */
  readonly reusable: boolean;
  /** SQL, for the consuming statement: whether the row may be consumed now. */
  readonly consumable: RawBuilder<boolean>;
  /** The row as callers see it: consumed within the window, it reads as unconsumed. */
  seen<Row extends PayloadRow>(row: Row): Row;
}

export function consumeGrace(seconds: number): ConsumeGrace {
  if (seconds <= 0) {
    return { reusable: false, consumable: sql<boolean>`consumed_at is null`, seen: (row) => row };
  }
  const windowStart = sql<Date>`now() - make_interval(secs => ${seconds})`;
  const inWindow = (consumedAt: Date, now: Date) =>
    consumedAt.getTime() > now.getTime() - seconds * 1000;
  return {
    reusable: true,
    consumable: sql<boolean>`(consumed_at is null or consumed_at > ${windowStart})`,
    seen: (row) =>
      row.consumed_at && inWindow(row.consumed_at, row.now) ? { ...row, consumed_at: null } : row,
  };
}

/** The window of a model: refresh tokens have the configured one, nothing else has any. */
export function consumeGraceSeconds(model: string, refreshTokenReuseGraceSeconds: number): number {
  return model === 'RefreshToken' ? refreshTokenReuseGraceSeconds : 0;
}
