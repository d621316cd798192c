import { Agent, type IncomingHttpHeaders, request } from 'node:http';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Sent {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

// Connections are kept and reused, as a browser keeps them.
const agent = new Agent({ keepAlive: true });
/** A server that does not answer fails the request instead of stalling a benchmark run. */
const TIMEOUT_MS = 30_000;

/**
 * One request over node:http, the whole answer read as text. The scripted browsers share the
 * machine with the server they load, so they use the cheapest client Node has: with fetch they
 * used about twice the CPU (4.1-4.6 ms per sign-in against 2.0-2.5, docs/PERFORMANCE.md).
 */
export function send(url: URL | string, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: sent.method, headers: sent.headers, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    outgoing.setTimeout(TIMEOUT_MS, () => {
      outgoing.destroy(new Error(`no answer from ${url} within ${TIMEOUT_MS / 1000} s`));
    });
    outgoing.on('error', reject);
    outgoing.end(sent.body);
  });
}
