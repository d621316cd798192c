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
 */
export async function bindPort(config: Config, cleanups: Cleanups, logger: Logger) {
  let handle: RequestListener = respondStarting;
  const server = createServer((req, res) => handle(req, res));
  cleanups.defer(() => closeServer(server));
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

async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const respondStarting: RequestListener = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end('{"error":"temporarily_unavailable","error_description":"the server is starting"}');
};
