import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child Portcullis process: embedded storage in `dataDir`, quiet logs, and
 * nothing inherited that could point it elsewhere (DATABASE_URL, REDIS_URL, ...).
 */
export function portcullisEnv(dataDir: string, extra: Record<string, string> = {}) {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORTCULLIS_DATA_DIR: dataDir,
    ...extra,
  };
}

function spawnNode(
  script: string,
  args: string[],
  env: Record<string, string>,
  umask?: string,
): ChildProcess {
  if (umask === undefined) {
    return spawn(process.execPath, [script, ...args], { cwd: repoRoot, env, stdio: 'pipe' });
  }
  // Node cannot give a child a umask of its own; a shell sets it, then becomes node.
  const command = `umask ${umask} && exec "$0" "$@"`;
  return spawn('/bin/sh', ['-c', command, process.execPath, script, ...args], {
    cwd: repoRoot,
    env,
    stdio: 'pipe',
  });
}

function collect(child: ChildProcess) {
  const output = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output.stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output.stderr += chunk;
  });
  return output;
}

/** Runs `portcullis <args>` (src/cli/main.ts) to completion, with `stdin` as its input. */
export async function runCli(
  args: string[],
  options: { dataDir: string; stdin?: string; env?: Record<string, string> },
): Promise<Finished> {
  const child = spawnNode('src/cli/main.ts', args, portcullisEnv(options.dataDir, options.env));
  const output = collect(child);
  child.stdin?.end(options.stdin ?? '');
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, ...output };
}

/** A TCP port that was free a moment ago: the OS picks it, and it is released at once. */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port assigned');
  return address.port;
}

export interface ServerProcess {
  url: string;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<Finished>;
}

/**
 * Starts the real server process (src/app/main.ts) on 127.0.0.1 and waits until /healthz
 * answers; under `umask` (octal, as the shell takes it) when given, else the test's own.
 */
export async function startServerProcess(
  dataDir: string,
  options: { timeoutMs?: number; env?: Record<string, string>; port?: number; umask?: string } = {},
): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  // The issuer is the URL it is reached at, as clients discover it (unless `env` says otherwise).
  const env = { PORT: String(port), HOST: '127.0.0.1', PORTCULLIS_ISSUER: url, ...options.env };
  const child = spawnNode('src/app/main.ts', [], portcullisEnv(dataDir, env), options.umask);
  const output = collect(child);
  const exited = once(child, 'close').then(([code]) => ({
    code: code as number | null,
    ...output,
  }));
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (!(await answers(`${url}/healthz`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const { code, stderr } = await exited;
      throw new Error(`the server did not become healthy (exit ${code}): ${stderr.slice(0, 500)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}
