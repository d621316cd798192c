import { connect, type Socket } from 'node:net';
import { join } from 'node:path';

/**
 * Just enough of the Postgres wire protocol, spoken by hand, to put a connection on a shared
 * embedded database in states a driver never leaves it in between two calls: a statement
 * parsed but not yet bound, or executed but not yet synced.
 */

export interface Frame {
  type: string;
  body: Buffer;
}

/** A session on the server's socket that speaks the wire protocol by hand. */
export class WireSession {
  readonly #socket: Socket;
  #pending = Buffer.alloc(0);
  readonly #received: Frame[] = [];
  #wake: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('error', () => {});
    socket.on('data', (chunk) => this.#read(chunk));
  }

  static async open(dataDir: string): Promise<WireSession> {
    const socket = connect(join(dataDir, '.s.PGSQL.5432'));
    await new Promise((resolve) => socket.once('connect', resolve));
    const session = new WireSession(socket);
    const params = Buffer.from('user\0postgres\0database\0postgres\0\0');
    const header = Buffer.alloc(8);
    header.writeInt32BE(8 + params.length, 0);
    header.writeInt32BE(196608, 4);
    socket.write(Buffer.concat([header, params]));
    await session.until('Z');
    return session;
  }

  send(...frames: Buffer[]): void {
    this.#socket.write(Buffer.concat(frames));
  }

  /** The frames received up to and including the next one of `type`. */
  async until(type: string): Promise<Frame[]> {
    for (;;) {
      const at = this.#received.findIndex((frame) => frame.type === type);
      if (at >= 0) return this.#received.splice(0, at + 1);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  destroy(): void {
    this.#socket.destroy();
  }

  #read(chunk: Buffer): void {
    this.#pending = Buffer.concat([this.#pending, chunk]);
    while (this.#pending.length >= 5 && this.#pending.length > this.#pending.readInt32BE(1)) {
      const end = 1 + this.#pending.readInt32BE(1);
      this.#received.push({
        type: String.fromCharCode(this.#pending[0] ?? 0),
        body: this.#pending.subarray(5, end),
      });
      this.#pending = this.#pending.subarray(end);
    }
    this.#wake?.();
  }
}

/** A frontend message: type byte, int32 length, body. */
function frame(type: string, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const int16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const cstring = (text: string) => Buffer.from(`${text}\0`);

/** Parse into the unnamed statement, parameter types left to the server. */
export const parse = (query: string) => frame('P', cstring(''), cstring(query), int16(0));

/** Bind text parameters to the unnamed portal; results in text. */
export function bind(...params: string[]): Buffer {
  const encoded = params.map((param) => {
    const length = Buffer.alloc(4);
    length.writeInt32BE(Buffer.byteLength(param));
    return Buffer.concat([length, Buffer.from(param)]);
  });
  return frame('B', cstring(''), cstring(''), int16(0), int16(params.length), ...encoded, int16(0));
}

export const execute = () => frame('E', cstring(''), Buffer.alloc(4));
export const sync = () => frame('S');

/** The first column of every DataRow among `frames`. */
export function values(frames: Frame[]): string[] {
  return frames
    .filter((frame) => frame.type === 'D')
    .map((frame) => frame.body.subarray(6, 6 + frame.body.readInt32BE(2)).toString());
}
