import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isReadyNotice, isRpcReply, type Methods, type RpcReply } from './rpc.ts';

export interface ChildOptions {
  env?: NodeJS.ProcessEnv;
  /** Node flags of the child (for example --cpu-prof); none by default. */
  execArgv?: string[];
  readyTimeoutMs?: number;
  /** Where the child's stdout goes: a file descriptor, or the benchmark's own stdout. */
  stdout?: number | 'inherit';
}

export interface Child<Api extends Methods<Api>, Info> {
  pid: number;
  /** What the child announced when it became ready. */
  info: Info;
  call<M extends keyof Api & string>(
    method: M,
    params: Parameters<Api[M]>[0],
  ): Promise<Awaited<ReturnType<Api[M]>>>;
  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  stop(): Promise<void>;
}

/** The processes this benchmark started and that still run. */
export const runningChildren = new Set<number>();

type Pending = { resolve(value: unknown): void; reject(error: Error): void };

/** Forks a bench entry point (a .ts file run by Node directly) and waits until it is ready. */
export async function startChild<Api extends Methods<Api>, Info>(
  entry: URL,
  options: ChildOptions = {},
): Promise<Child<Api, Info>> {
  const child = fork(fileURLToPath(entry), [], {
    env: options.env ?? process.env,
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', options.stdout ?? 'inherit', 'inherit', 'ipc'],
  });
  const pid = child.pid ?? 0;
  runningChildren.add(pid);
  child.once('exit', () => runningChildren.delete(pid));
  const info = await readyOf<Info>(child, entry, options.readyTimeoutMs ?? 120_000);
  const pending = trackReplies(child);
  let next = 0;
  return {
    pid,
    info,
    call(method, params) {
      next += 1;
      const rpc = next;
      return new Promise((resolve, reject) => {
        pending.set(rpc, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ rpc, method, params });
      });
    },
    stop: () => stopChild(child),
  };
}

function readyOf<Info>(child: ChildProcess, entry: URL, timeoutMs: number): Promise<Info> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${entry.pathname} was not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${entry.pathname} exited (code ${code}) before it was ready`));
    };
    child.once('exit', onExit);
    child.on('message', function onMessage(message: unknown) {
      if (!isReadyNotice<Info>(message)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('message', onMessage);
      resolve(message.ready);
    });
  });
}

function trackReplies(child: ChildProcess): Map<number, Pending> {
  const pending = new Map<number, Pending>();
  child.on('message', (message: unknown) => {
    if (!isRpcReply(message)) return;
    const call = pending.get(message.rpc);
    pending.delete(message.rpc);
    settle(call, message);
  });
  child.once('exit', (code) => {
    for (const call of pending.values()) call.reject(new Error(`child exited (code ${code})`));
    pending.clear();
  });
  return pending;
}

function settle(call: Pending | undefined, reply: RpcReply): void {
  if (reply.error !== undefined) call?.reject(new Error(reply.error));
  else call?.resolve(reply.result);
}

async function stopChild(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
