import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../config/schema.ts';
import { answerClientErrors } from '../http/client-error.ts';
import type { Logger } from '../shared/logger.ts';
import type { Cleanups } from './cleanups.ts';

/**
 * The port is bound before the app exists (with PORT=0 the issuer depends on it); until the app
 * is ready, requests get a 503 instead of hanging. `serve` hands them to the app once it is.
 * Requests Node's own parser refuses never reach either: they are answered by client-error.ts.
 * Closing it drains it (see closeServer).
 */
export async function bindPort(config: Config, cleanups: Cleanups, logger: Logger) {
  let handle: RequestListener = respondStarting;
  let draining = false;
  const server = createServer((req, res) => {
    // A request that comes on a kept-alive connection while draining is still answered, and
    // told that the connection ends with it.
    if (draining) res.setHeader('Connection', 'close');
    handle(req, res);
  });
  cleanups.defer(() => {
    draining = true;
    return closeServer(server, config.shutdownTimeoutSeconds * 1000);
  });
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const issuer = (config.issuer ?? `http://localhost:${port}`).replace(/\/$/, '');
  server.on('clientError', answerClientErrors(issuer, logger));
  const serve = (listener: RequestListener) => {
    handle = listener;
  };
  return { server, port, issuer, serve };
}

// How often idle connections are closed while draining: a kept-alive connection whose request
// finished is closed within this, not at the end of its keep-alive timeout.
const IDLE_SWEEP_MS = 50;

/**
 * Closes a server gracefully: it stops accepting connections at once, requests in flight may
 * finish for up to `graceMs`, and connections are closed as soon as they are idle. Whatever is
 * still open at the deadline is closed then, its requests cut. Resolves once every connection
 * is gone.
 */
export async function closeServer(server: Server, graceMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(deadline);
  }
}

const respondStarting: RequestListener = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end('{"error":"temporarily_unavailable","error_description":"the server is starting"}');
};
