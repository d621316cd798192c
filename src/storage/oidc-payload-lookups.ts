import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.ts';

export interface PayloadRow {
  payload: Record<string, unknown>;
  consumed_at: Date | null;
  /** The database's clock when the row was read (grace windows are measured against it). */
  now: Date;
}

type Waiter = { resolve(row: PayloadRow | undefined): void; reject(error: unknown): void };

/**
 * Reads of live oidc_payloads rows by (model, id), coalesced. oidc-provider looks an opaque token
 * up in every model it could belong to at once (introspection and revocation ask AccessToken,
 * ClientCredentials and RefreshToken in parallel for the same value); the reads of one id asked
 * for in the same tick become a single query instead of one per model.
 */
export function createPayloadLookups(db: Kysely<Database>) {
  let pending: Map<string, Map<string, Waiter[]>> | undefined;

  const flush = () => {
    const batch = pending ?? new Map<string, Map<string, Waiter[]>>();
    pending = undefined;
    for (const [id, byModel] of batch) {
      readModels(db, id, [...byModel.keys()]).then(
        (rows) => {
          for (const [model, waiters] of byModel) {
            for (const waiter of waiters) waiter.resolve(rows.get(model));
          }
        },
        (error: unknown) => {
          for (const waiters of byModel.values())
            for (const waiter of waiters) waiter.reject(error);
        },
      );
    }
  };

  return {
    find(model: string, id: string): Promise<PayloadRow | undefined> {
      if (!pending) {
        pending = new Map();
        queueMicrotask(flush);
      }
      const byModel = pending.get(id) ?? new Map<string, Waiter[]>();
      pending.set(id, byModel);
      return new Promise((resolve, reject) => {
        byModel.set(model, [...(byModel.get(model) ?? []), { resolve, reject }]);
      });
    },
  };
}

export type PayloadLookups = ReturnType<typeof createPayloadLookups>;

/**
 * The live (unexpired) rows of `id` in each of `models`, by model. Written as one SQL text: it
 * runs for nearly every request, and building it with the query builder each time cost more
 * than the rest of the lookup (see docs/PERFORMANCE.md).
 */
async function readModels(
  db: Kysely<Database>,
  id: string,
  models: string[],
): Promise<Map<string, PayloadRow>> {
  const { rows } = await sql<PayloadRow & { model: string }>`
    select model, payload, consumed_at, now() as now
      from oidc_payloads
     where id = ${id}
       and model = any(${models}::text[])
       and (expires_at is null or expires_at > now())
  `.execute(db);
  return new Map(rows.map((row) => [row.model, row]));
}
