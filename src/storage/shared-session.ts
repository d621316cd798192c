import { existsSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';
import type { SessionGate } from './session-gate.ts';
import { type HandlerQueue, type QueryQueue, SocketSession } from './socket-session.ts';

export interface SharedSession {
  close(): Promise<void>;
}

/**
 * Shares this process's PGlite session with other processes (the CLI) on a unix socket.
 * PGLiteSocketHandler speaks the wire protocol on each connection; PGLiteSocketServer is not
 * used, because its queue lets any connection's message in whenever PGlite is outside a
 * transaction block: into this process's transactions (which it does not see), and between the
 * Parse and the Sync of another connection. Each connection queues through a SocketSession,
 * which takes the session gate this process's own queries take too.
 */
export async function shareSession(
  pglite: PGlite,
  gate: SessionGate,
  path: string,
  maxConnections: number,
): Promise<SharedSession> {
  // The caller holds the data directory's lock: a socket here is a leftover of a process that died.
  if (existsSync(path)) unlinkSync(path);
  const handlers = new Set<PGLiteSocketHandler>();
  const server = createServer((socket) => {
    const session: HandlerQueue = new SocketSession(pglite, gate);
    // The handler types its queue as pglite-socket's own queue class, which has private fields
    // and is not exported; it calls only the methods of HandlerQueue, which SocketSession has.
    const handler = new PGLiteSocketHandler({
      queryQueue: session as QueryQueue,
      closeOnDetach: true,
    });
    handlers.add(handler);
    handler.addEventListener('close', () => handlers.delete(handler));
    void handler.attach(socket);
  });
  server.maxConnections = maxConnections;
  await new Promise<void>((resolve, reject) => {
    // After listening, an error (a failed accept) costs only the connection it concerns.
    server.on('error', reject);
    server.listen(path, resolve);
  });
  return {
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      await Promise.all([...handlers].map((handler) => handler.detach(true)));
      await closed;
    },
  };
}
