import { maxHeaderSize } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/shared/logger.ts';
import { sqlBackends } from '../support/backends.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

/**
 * Requests Node's HTTP parser refuses before any code of ours runs, sent byte for byte over a
 * plain TCP socket (an HTTP client would refuse to send most of them). They never reach storage,
 * so embedded storage is enough.
 */
const [embedded] = sqlBackends;
const SECRET = 'a-session-cookie-value-that-must-not-be-logged';

describe('requests the HTTP parser refuses', () => {
  let server: TestServer;
  let https: TestServer;
  const lines: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    if (!embedded) throw new Error('no embedded backend');
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) {
          lines.push(JSON.parse(line));
        }
        done();
      },
    });
    server = await startTestServer(embedded, {}, { logger: createLogger('info', destination) });
    https = await startTestServer(embedded, { issuer: 'https://auth.example.test' });
  });
  afterAll(async () => {
    await server?.close();
    await https?.close();
  });

  it('answers an unknown method with 400, OAuth error JSON and the security headers, then closes', async () => {
    const answer = await exchange(server, 'FOO /token HTTP/1.1\r\nHost: localhost\r\n\r\n');

    expect(answer.status).toBe(400);
    expect(answer.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(Buffer.byteLength(answer.body)),
      'cache-control': 'no-store',
      connection: 'close',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'content-security-policy': expect.stringContaining("default-src 'self'"),
    });
    expect(answer.headers['strict-transport-security']).toBeUndefined();
    expect(JSON.parse(answer.body)).toEqual({
      error: 'invalid_request',
      error_description: 'The request could not be parsed as HTTP.',
    });
    expect(answer.closed).toBe(true);
  });

  it('answers a head over the limit with 431, and logs neither its headers nor its path', async () => {
    const head = [
      `GET /auth?state=${SECRET} HTTP/1.1`,
      'Host: localhost',
      `Cookie: _session=${SECRET}; padding=${'a'.repeat(maxHeaderSize)}`,
    ];
    const answer = await exchange(server, `${head.join('\r\n')}\r\n\r\n`);

    expect(answer.status).toBe(431);
    expect(answer.headers).toMatchObject({
      connection: 'close',
      'x-content-type-options': 'nosniff',
    });
    expect(JSON.parse(answer.body)).toEqual({
      error: 'invalid_request',
      error_description: 'The request line and headers are too large.',
    });
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'request refused by the HTTP parser', status: 431 }),
    );
    expect(JSON.stringify(lines)).not.toContain(SECRET);
  });

  it('answers a request line that is not HTTP with 400', async () => {
    const answer = await exchange(server, 'this is not http\r\n\r\n');

    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'invalid_request' });
  });

  it('adds HSTS when the issuer is https', async () => {
    const answer = await exchange(https, 'FOO / HTTP/1.1\r\nHost: auth.example.test\r\n\r\n');

    expect(answer.status).toBe(400);
    expect(answer.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
  });

  it('leaves well-formed requests on the same server alone', async () => {
    const answer = await exchange(
      server,
      'GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n',
    );

    expect(answer.status).toBe(200);
  });
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Whether the server closed the connection (it must, after refusing a request). */
  closed: boolean;
}

/** Writes `request` on a new connection and reads until the server closes it (or 5 s pass). */
function exchange(server: TestServer, request: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: portOf(server) });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      try {
        resolve({ ...parse(Buffer.concat(chunks).toString('latin1')), closed });
      } catch (error) {
        reject(error);
      }
    };
    const timer = setTimeout(() => finish(false), 5_000);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => finish(true));
    // A reset after the answer is read changes nothing; without an answer, parse() says so.
    socket.on('error', () => finish(true));
    socket.write(request);
  });
}

function portOf(server: TestServer): number {
  const address = server.portcullis.server.address();
  if (!address || typeof address === 'string') throw new Error('the server is not listening');
  return address.port;
}

function parse(text: string): Omit<Answer, 'closed'> {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no complete answer: ${JSON.stringify(text.slice(0, 200))}`);
  const [statusLine = '', ...headerLines] = text.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) };
}
