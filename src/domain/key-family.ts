import type { Kysely } from 'kysely';
import type { Database } from '../storage/schema.ts';
import type { LifecycleKey } from './key-lifecycle.ts';

/**
 * One set of keys that rotate together: the signing keys of one algorithm, or the cookie keys.
 * The rotation service drives every family through the same lifecycle; a family only knows how
 * its keys are made and stored. Every method takes the executor first so it runs inside the
 * rotation's transaction.
 */
export interface KeyFamily {
  /** Prefix of its audit events: signing_key.created, cookie_key.retired, ... */
  kind: 'signing_key' | 'cookie_key';
  /** The algorithm (ES256, RS256, EdDSA) or `cookie`. */
  name: string;
  /** Keys still published or verifying (next, current, retired). */
  listLive(db: Kysely<Database>): Promise<LifecycleKey[]>;
  create(db: Kysely<Database>, key: NewKey): Promise<string>;
  /** Moves a key to `state`, stamping the time; removed and revoked keys lose their secret. */
  transition(db: Kysely<Database>, id: string, state: EndState, now: Date): Promise<void>;
  setPromoteAt(db: Kysely<Database>, id: string, promoteAt: Date): Promise<void>;
}

interface NewKey {
  state: 'current' | 'next';
  promoteAt: Date | null;
  now: Date;
}

export type EndState = 'current' | 'retired' | 'removed' | 'revoked';

/** The timestamp columns a transition sets; shared by both tables, which name them alike. */
export function transitionColumns(state: EndState, now: Date) {
  switch (state) {
    case 'current':
      return { state, activated_at: now } as const;
    case 'retired':
      return { state, retired_at: now } as const;
    default:
      return { state, removed_at: now } as const;
  }
}

interface LifecycleRow {
  state: LifecycleKey['state'];
  created_at: Date;
  promote_at: Date | null;
  activated_at: Date | null;
  retired_at: Date | null;
}

export function lifecycleOf(id: string, row: LifecycleRow): LifecycleKey {
  return {
    id,
    state: row.state,
    createdAt: row.created_at,
    promoteAt: row.promote_at,
    activatedAt: row.activated_at,
    retiredAt: row.retired_at,
  };
}
