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

export interface OidcPayloadsTable {
  model: string;
  id: string;
  payload: JSONColumnType<Record<string, unknown>>;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: Date | null;
  consumed_at: Date | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  state: string;
  public_jwk: JSONColumnType<Record<string, unknown>>;
  private_jwk_encrypted: string;
  created_at: CreatedAt;
  activated_at: Date | null;
  retired_at: Date | null;
}

export interface AuditEventsTable {
  id: Generated<string>;
  type: string;
  actor: string;
  subject: string | null;
  data: JSONColumnType<Record<string, unknown>>;
  created_at: CreatedAt;
}

export interface RevokedTokensTable {
  jti: string;
  expires_at: Date;
  revoked_at: CreatedAt;
}

export interface Database {
  accounts: AccountsTable;
  clients: ClientsTable;
  oidc_payloads: OidcPayloadsTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  revoked_tokens: RevokedTokensTable;
}
