import { type ClientRequest, type IncomingMessage, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runCli, type ServerProcess, startServerProcess } from '../support/processes.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const SHUTDOWN_TIMEOUT_SECONDS = 2;
const BODY = 'grant_type=client_credentials';

/**
 * A token request whose body the test sends when it chooses: the headers go first, with
 * `Expect: 100-continue`, so that Node's "100 Continue" proves the server has taken the request
 * in (it is in flight from then on); half the body follows, the rest on `finish()`.
 */
async function slowTokenRequest(url: string, client: { id: string; secret: string }) {
  const credentials = Buffer.from(`${client.id}:${client.secret}`).toString('base64');
  const req: ClientRequest = request(new URL('/token', url), {
    method: 'POST',
    headers: {
      authorization: `Basic ${credentials}`,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(BODY)),
      expect: '100-continue',
    },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
  });
  answer.catch(() => {}); // awaited by the test; a cut request must not be "unhandled" before
  await new Promise<void>((resolve, reject) => {
    req.once('continue', resolve);
    req.once('error', reject);
    req.flushHeaders();
  });
  req.write(BODY.slice(0, 10));
  return { answer, finish: () => req.end(BODY.slice(10)) };
}

/** Resolves once a new connection to `url` is refused: the server no longer accepts. */
async function refusesConnections(url: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    try {
      await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(1_000) });
    } catch (error) {
      if ((error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') return;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the server still accepts connections');
}

describe('graceful shutdown of the server process', () => {
  let dataDir: TempDir;
  let server: ServerProcess;
  let client: { id: string; secret: string };
  let metricsPort: number;

  beforeAll(async () => {
    dataDir = makeTempDir();
    metricsPort = await freePort();
    server = await startServerProcess(dataDir.path, {
      // Starting takes a few seconds; far longer on a loaded machine, which is no failure here.
      timeoutMs: 110_000,
      env: {
        PORTCULLIS_SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS),
        PORTCULLIS_METRICS_PORT: String(metricsPort),
      },
    });
    const created = await runCli(
      ['clients', 'create', '--name', 'service', '--grant-types', 'client_credentials', '--json'],
      { dataDir: dataDir.path },
    );
    expect(created.code).toBe(0);
    const json = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
    client = { id: json.client_id, secret: json.client_secret };
  }, 150_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
    dataDir?.remove();
  });

  it('on SIGTERM stops accepting, lets a request in flight finish, cuts one past the timeout and exits 0', async () => {
    expect((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status).toBe(200);
    const finishing = await slowTokenRequest(server.url, client);
    const hanging = await slowTokenRequest(server.url, client);

    const signalled = Date.now();
    const exited = server.stop('SIGTERM');
    await refusesConnections(server.url);

    finishing.finish();
    const answer = await finishing.answer;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ token_type: 'Bearer' });
    expect(JSON.parse(answer.body).access_token).toEqual(expect.any(String));

    // The other one never sends the rest of its body: it is cut at the timeout, not waited for.
    await expect(hanging.answer).rejects.toThrow();
    const { code } = await exited;
    const took = (Date.now() - signalled) / 1000;
    expect(code).toBe(0);
    expect(took).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT_SECONDS - 0.5);
    expect(took).toBeLessThan(SHUTDOWN_TIMEOUT_SECONDS + 5);
  });
});
