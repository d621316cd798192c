import type { Duplex } from 'node:stream';
import type { Logger } from '../shared/logger.ts';
import { SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY } from './security-headers.ts';

interface Refusal {
  status: number;
  reason: string;
  description: string;
}

/** What Node's parser reports (error.code), and how we answer it; anything else is a 400. */
const REFUSALS: Readonly<Record<string, Refusal>> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    description: 'The request line and headers are too large.',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    reason: 'Content Too Large',
    description: 'The chunk extensions are too large.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    description: 'The request did not arrive in time.',
  },
};

const BAD_REQUEST: Refusal = {
  status: 400,
  reason: 'Bad Request',
  description: 'The request could not be parsed as HTTP.',
};

/**
 * The server's 'clientError' handler. Node's HTTP parser refuses some requests before any code
 * of ours runs (an unknown method, a head over its 16 KB limit, broken framing), and by default
 * answers them with a bare status line. This answers them as every other error is answered: OAuth
 * error JSON, the security headers (HSTS when the issuer is https), `Cache-Control: no-store`,
 * and `Connection: close`, since the connection cannot be read any further.
 *
 * It keeps what Node's default handler does (lib/_http_server.js, socketOnError): answer only
 * when the socket is writable and no response on it has started (a refused pipelined request
 * must not corrupt the answer to the one before it), then destroy the socket. The log line names
 * the status and the parser's error code only: the raw request (error.rawPacket) carries header
 * values, cookies and credentials among them.
 */
export function answerClientErrors(issuer: string, logger: Logger) {
  const https = new URL(issuer).protocol === 'https:';

  return (error: NodeJS.ErrnoException, socket: Duplex): void => {
    if (error.code !== 'ECONNRESET' && socket.writable && !responseStarted(socket)) {
      const refusal = REFUSALS[error.code ?? ''] ?? BAD_REQUEST;
      logger.info(
        { status: refusal.status, code: error.code },
        'request refused by the HTTP parser',
      );
      socket.write(responseText(refusal, https));
    }
    socket.destroy();
  };
}

function responseText(refusal: Refusal, https: boolean): string {
  const body = JSON.stringify({ error: 'invalid_request', error_description: refusal.description });
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    Connection: 'close',
    ...SECURITY_HEADERS,
    ...(https ? { 'Strict-Transport-Security': STRICT_TRANSPORT_SECURITY } : {}),
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${refusal.status} ${refusal.reason}\r\n${lines.join('')}\r\n${body}`;
}

/**
 * Whether a response on this connection has sent its head already. Node keeps the response in
 * progress on the socket as `_httpMessage`, which its own default handler checks the same way.
 */
function responseStarted(socket: Duplex): boolean {
  const inProgress = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  return inProgress?.headersSent === true;
}
