import type { AdapterPayload } from 'oidc-provider';

/** One oidc_payloads row as the adapter reads it. */
export interface PayloadRow {
  payload: Record<string, unknown>;
  consumed_at: Date | null;
  /** The database's clock when the row was read (grace windows are measured against it). */
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
 * The row for an upsert of oidc-provider's. Every model shares the table, keyed by (model, id);
 * the lookup columns (grant_id, uid, user_code) are copied out of the payload so that the
 * secondary lookups are indexed.
 */
export function payloadWrite(
  model: string,
  id: string,
  payload: AdapterPayload,
  expiresIn: number | undefined,
): PayloadWrite {
  return {
    model,
    id,
    json: JSON.stringify(payload),
    grantId: payload.grantId ?? null,
    userCode: payload.userCode ?? null,
    uid: payload.uid ?? null,
    expiresAt: expiresIn ? new Date(Date.now() + expiresIn * 1000) : null,
  };
}

/** The payload oidc-provider expects for a row read: `consumed` in epoch seconds, once consumed. */
export function toPayload(row: PayloadRow | null | undefined): AdapterPayload | undefined {
  if (!row) return undefined;
  const consumed = row.consumed_at
    ? { consumed: Math.floor(row.consumed_at.getTime() / 1000) }
    : {};
  return { ...row.payload, ...consumed } as AdapterPayload;
}
