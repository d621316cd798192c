import type { PGlite } from '@electric-sql/pglite';
import type { PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import type { SessionGate } from './session-gate.ts';

/** The type PGLiteSocketHandler gives its queue: pglite-socket's own queue class. */
export type QueryQueue = PGLiteSocketHandlerOptions['queryQueue'];
/** The part of that queue PGLiteSocketHandler calls. */
export type HandlerQueue = Pick<
  QueryQueue,
  'enqueue' | 'clearQueueForHandler' | 'clearTransactionIfNeeded'
>;

const TERMINATE = 0x58; // 'X'
// ReadyForQuery: 'Z', int32 length 5, status 'I' (idle; 'T' in a transaction, 'E' in a failed one).
const READY_AND_IDLE = [0x5a, 0, 0, 0, 5, 0x49] as const;

/**
 * One connection on the shared socket, as the queue its PGLiteSocketHandler hands each
 * wire-protocol message to. Its messages run in order, each once the session gate is this
 * connection's, and it keeps the gate until PGlite answers ReadyForQuery with status idle: all
 * through a transaction, and from the first message of an extended-protocol sequence to its
 * Sync, so that nobody else's statement runs in its transaction or takes its unnamed statement.
 */
export class SocketSession implements HandlerQueue {
  readonly #pglite: PGlite;
  readonly #gate: SessionGate;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #ended: Promise<void> | undefined;
  /** The last six bytes PGlite answered: room for a whole ReadyForQuery. */
  readonly #tail = new Uint8Array(6);

  constructor(pglite: PGlite, gate: SessionGate) {
    this.#pglite = pglite;
    this.#gate = gate;
  }

  enqueue(_handler: number, message: Uint8Array, onData: (data: Uint8Array) => void) {
    // The handler may hand over a message before the previous one ran: keep them in order.
    const done = this.#queue.then(() => this.#run(message, onData));
    this.#queue = done.catch(() => {});
    return done;
  }

  clearQueueForHandler(): void {
    this.#closed = true;
  }

  /** The connection is gone: once its last message ran, undo what it left open. */
  clearTransactionIfNeeded(): Promise<void> {
    this.#closed = true;
    this.#ended ??= this.#queue.then(() => {
      if (this.#gate.holder === this) return this.#abandon();
    });
    return this.#ended;
  }

  async #run(message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number> {
    if (this.#closed) throw new Error('the connection is closed');
    // Terminate would end nothing in a session that others share: treat it as the close it announces.
    if (message[0] === TERMINATE) {
      if (this.#gate.holder === this) await this.#abandon();
      return 0;
    }
    if (this.#gate.holder !== this) await this.#gate.acquire(this);
    if (this.#closed) throw new Error('the connection is closed');
    this.#tail.fill(0);
    let answered = 0;
    await this.#pglite.runExclusive(() =>
      this.#pglite.execProtocolRawStream(message, {
        onRawData: (data) => {
          answered += data.length;
          this.#remember(data);
          onData(data);
        },
      }),
    );
    if (this.#idle()) this.#gate.release(this);
    return answered;
  }

  #remember(data: Uint8Array): void {
    const tail = this.#tail;
    if (data.length >= tail.length) {
      tail.set(data.subarray(data.length - tail.length));
    } else {
      tail.copyWithin(0, data.length);
      tail.set(data, tail.length - data.length);
    }
  }

  /**
   * Whether the answer ended in ReadyForQuery, idle. No other answer can end in these bytes:
   * every other message that can close one ends in a NUL (CommandComplete, ErrorResponse,
   * NoticeResponse), its own fixed tag and length (ParseComplete, BindComplete, NoData, ...),
   * or an int16 format code (RowDescription, CopyInResponse).
   */
  #idle(): boolean {
    return READY_AND_IDLE.every((byte, i) => this.#tail[i] === byte);
  }

  /**
   * Undoes what the connection left open, as a backend does when its client goes away. A
   * ROLLBACK ends a transaction block, or a statement executed but not yet synced (its implicit
   * transaction); a session that skips messages until Sync after an error skips it, but the
   * Sync `exec` sends after it ends the skip, and a second ROLLBACK ends the block left failed.
   * The handler does not await its cleanup, so a failure cannot be thrown back; it only means
   * PGlite itself is broken, which the next query of whoever holds the gate reports.
   */
  async #abandon(): Promise<void> {
    try {
      await this.#pglite.exec('rollback');
      if (this.#pglite.isInTransaction()) await this.#pglite.exec('rollback');
    } catch {
      // See above: reported by the next query.
    } finally {
      this.#gate.release(this);
    }
  }
}
