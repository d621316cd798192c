import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

export interface AccountsTable {
  id: string;
  email: string;
  email_verified: Generated<boolean>;
  name: string | null;
  password_hash: string | null;
  roles: JSONColumnType<string[]>;
  disabled_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface ClientsTable {
  client_id: string;
  name: string;
  secret_hash: string | null;
  first_party: Generated<boolean>;
  metadata: JSONColumnType<Record<string, unknown>>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

interface OidcPayloadsTable {
  model: string;
  id: string;
  payload: JSONColumnType<Record<string, unknown>>;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: Date | null;
  consumed_at: Date | null;
}

/** next (published, not signing) → current (signing) → retired (published) → removed; or revoked. */
export type KeyState = 'next' | 'current' | 'retired' | 'removed' | 'revoked';

export interface SigningKeysTable {
  kid: string;
  alg: string;
  state: KeyState;
  public_jwk: JSONColumnType<Record<string, unknown>>;
  /** Null once the key is removed or revoked: its private half is destroyed. */
  private_jwk_encrypted: string | null;
  created_at: CreatedAt;
  promote_at: Date | null;
  activated_at: Date | null;
  retired_at: Date | null;
  removed_at: Date | null;
}

export interface CookieKeysTable {
  id: string;
  state: KeyState;
  /** Null once the key is removed or revoked. */
  secret_encrypted: string | null;
  created_at: CreatedAt;
  promote_at: Date | null;
  activated_at: Date | null;
  retired_at: Date | null;
  removed_at: Date | null;
}

interface AuditEventsTable {
  id: Generated<string>;
  type: string;
  actor: string;
  /** What the event is about when it is neither an account nor a client: a key id. */
  subject: string | null;
  account_id: string | null;
  client_id: string | null;
  ip: string | null;
  user_agent: string | null;
  data: JSONColumnType<Record<string, unknown>>;
  created_at: CreatedAt;
}

interface AttemptCountersTable {
  key: string;
  points: number;
  /** Epoch milliseconds; null for a counter that never expires (none are written so). */
  expire: string | null;
}

export interface Database {
  attempt_counters: AttemptCountersTable;
  accounts: AccountsTable;
  clients: ClientsTable;
  oidc_payloads: OidcPayloadsTable;
  signing_keys: SigningKeysTable;
  cookie_keys: CookieKeysTable;
  audit_events: AuditEventsTable;
}
