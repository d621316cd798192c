/**
 * PGlite is a single Postgres session: whatever one user of it starts (a transaction, an
 * extended-protocol statement not yet synced) every other user runs inside. The gate grants
 * that session to one holder at a time, first come first served: this process's kysely
 * connection (for one query, or a whole transaction) and each connection on the shared socket
 * (from its first message until PGlite reports the session idle again).
 *
 * The price is blocking: while the CLI holds a transaction open, the server's queries wait for
 * it, and the other way round. A holder that never lets go (a CLI stopped mid-transaction)
 * holds up everyone until its socket closes.
 *
 * Granting a free gate allocates nothing; a promise is made only for a holder that must wait.
 */
export class SessionGate {
  #holder: object | undefined;
  readonly #waiting: Array<{ holder: object; grant: () => void }> = [];

  get holder(): object | undefined {
    return this.#holder;
  }

  /** Undefined when the session was free and is now `holder`'s; otherwise a promise of it. */
  acquire(holder: object): Promise<void> | undefined {
    if (this.#holder === undefined) {
      this.#holder = holder;
      return undefined;
    }
    return new Promise((grant) => {
      this.#waiting.push({ holder, grant });
    });
  }

  /** Hands the session to the next in line. Only its holder may release it. */
  release(holder: object): void {
    // Two holders at once would be the very bug this gate exists to prevent: fail loudly.
    if (this.#holder !== holder) throw new Error('the session gate is not held by its releaser');
    const next = this.#waiting.shift();
    this.#holder = next?.holder;
    next?.grant();
  }

  /** Runs `work` holding the session (the work itself is the holder). */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire(work);
    try {
      return await work();
    } finally {
      this.release(work);
    }
  }
}
