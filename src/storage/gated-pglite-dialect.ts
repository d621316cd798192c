import type { PGlite } from '@electric-sql/pglite';
import {
  type DatabaseConnection,
  type Driver,
  PGliteDialect,
  type PGliteDialectConfig,
  PGliteDriver,
} from 'kysely';
import type { SessionGate } from './session-gate.ts';

/**
 * Kysely's PGlite dialect, whose one connection is taken through the session gate. Kysely
 * already lets one query or transaction at a time acquire PGlite's single connection (its
 * connection mutex, as the adapter does not support several); the gate puts the sessions on
 * the shared socket in the same line. It is taken for a query or a whole transaction, and let
 * go when kysely releases the connection.
 */
export class GatedPGliteDialect extends PGliteDialect {
  readonly #pglite: PGlite;
  readonly #gate: SessionGate;
  readonly #hooks: ConnectionHooks;

  constructor(pglite: PGlite, gate: SessionGate, hooks: ConnectionHooks = {}) {
    super({ pglite, ...hooks });
    this.#pglite = pglite;
    this.#gate = gate;
    this.#hooks = hooks;
  }

  override createDriver(): Driver {
    return new GatedDriver(this.#pglite, this.#gate, this.#hooks);
  }
}

/** What kysely's PGlite dialect calls as it opens its one connection (query timing). */
type ConnectionHooks = Pick<PGliteDialectConfig, 'onCreateConnection'>;

class GatedDriver extends PGliteDriver {
  readonly #gate: SessionGate;

  constructor(pglite: PGlite, gate: SessionGate, hooks: ConnectionHooks) {
    super({ pglite, ...hooks });
    this.#gate = gate;
  }

  // On the hot path of every query: no promise of ours unless the gate makes it wait.
  override acquireConnection(): Promise<DatabaseConnection> {
    const wait = this.#gate.acquire(this);
    return wait ? wait.then(() => super.acquireConnection()) : super.acquireConnection();
  }

  override releaseConnection(): Promise<void> {
    // PGliteDriver releases nothing (its one connection stays), so the gate may go first.
    this.#gate.release(this);
    return super.releaseConnection();
  }
}
