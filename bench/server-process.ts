import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from './backend/backend.ts';
import type { ServerApi, ServerInfo } from './server.ts';
import { type Child, startChild } from './support/child-process.ts';
import { freePort } from './support/free-port.ts';

export interface BenchServer {
  child: Child<ServerApi, ServerInfo>;
  issuer: string;
  /** Where this instance listens (its issuer may be another instance's). */
  origin: string;
  /** The cookie-signing secret the server uses: the benchmark signs session cookies with it. */
  cookieSecret: string;
  /** The server's environment: the CLI, run with it, works on the same storage. */
  env: Record<string, string>;
  logFile: string;
}

/**
 * Starts bench/server.ts as production runs: NODE_ENV=production, LOG_LEVEL=info (one line per
 * request on stdout, which goes to a file here), secrets from the environment, on 127.0.0.1.
 * With `like`, another instance of that server: same issuer, secrets and storage, its own port
 * (and `extraEnv`).
 */
export async function startBenchServer(
  backend: Backend,
  like?: BenchServer,
  extraEnv: Record<string, string> = {},
): Promise<BenchServer> {
  const port = await freePort();
  const cookieSecret = like?.cookieSecret ?? randomBytes(32).toString('base64url');
  const logFile = join(backend.workDir, `server-${port}.log`);
  const env: Record<string, string> = like
    ? { ...like.env, ...extraEnv, PORT: String(port) }
    : {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        PORTCULLIS_ISSUER: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'info',
        PORTCULLIS_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        PORTCULLIS_COOKIE_SECRETS: cookieSecret,
        ...backend.serverEnv,
      };
  const log = openSync(logFile, 'a');
  const child = await startChild<ServerApi, ServerInfo>(new URL('./server.ts', import.meta.url), {
    env,
    execArgv: ['--expose-gc'],
    stdout: log,
  }).finally(() => closeSync(log));
  return {
    child,
    issuer: child.info.issuer,
    origin: `http://127.0.0.1:${port}`,
    cookieSecret,
    env,
    logFile,
  };
}
