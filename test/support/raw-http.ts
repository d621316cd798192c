import { Agent, type IncomingHttpHeaders, request } from 'node:http';

/**
 * A request exactly as written: the method, the path and query byte for byte, the headers and
 * body as given. fetch normalises or refuses much of what a malformed-input test needs to send
 * (unknown methods, broken percent-encoding in a path, a body on GET), node:http does not.
 */
export interface RawRequest {
  method: string;
  /** Path and query as they go on the request line, not encoded any further. */
  target: string;
  headers: Record<string, string | string[]>;
  body?: string | Buffer | undefined;
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The request in one line for a failure message, long values cut short. */
export function describeRequest(raw: RawRequest): string {
  const cut = (value: string) =>
    value.length > 300 ? `${value.slice(0, 300)}…(${value.length} chars)` : value;
  const headers = Object.entries(raw.headers).map(([k, v]) => `${k}: ${cut(String(v))}`);
  const body = raw.body === undefined ? '' : ` body: ${cut(JSON.stringify(raw.body.toString()))}`;
  return `${raw.method} ${cut(raw.target)} [${headers.join(' | ')}]${body}`;
}

/** Sends `raw` to the server at `origin` and reads the whole answer, failing after `timeoutMs`. */
export function sendRaw(origin: string, raw: RawRequest, timeoutMs = 10_000): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  // A connection of its own for every request, kept alive as clients keep theirs.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise<RawResponse>((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method: raw.method,
        path: raw.target,
        // Node frames a body on POST by itself, not on GET, DELETE or OPTIONS: say its length.
        headers:
          raw.body === undefined
            ? raw.headers
            : { 'content-length': String(Buffer.byteLength(raw.body)), ...raw.headers },
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(new Error(`no answer within ${timeoutMs} ms to ${raw.method} ${raw.target}`)),
    );
    req.on('error', reject);
    req.end(raw.body);
  }).finally(() => agent.destroy());
}
