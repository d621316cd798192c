import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRpcCall, type Methods, type RpcReply } from './rpc.ts';

/**
 * Runs inside a child process: answers the parent's calls with `api`, and runs `shutdown` then
 * exits on SIGTERM, SIGINT or when the parent goes away (so no child outlives a crashed bench).
 */
export function serve<Api extends Methods<Api>>(
  api: Api,
  shutdown: () => Promise<void> = async () => {},
): void {
  process.on('message', (message: unknown) => {
    if (!isRpcCall(message)) return;
    const method: ((params: never) => Promise<unknown>) | undefined = Object.hasOwn(
      api,
      message.method,
    )
      ? api[message.method as keyof Api]
      : undefined;
    // Parameters arrive untyped over IPC; the parent's typed `call` is what keeps them right.
    const answer = method
      ? method(message.params as never).then(
          (result): RpcReply => ({ rpc: message.rpc, result }),
          (error: unknown): RpcReply => ({ rpc: message.rpc, error: String(error) }),
        )
      : Promise.resolve({ rpc: message.rpc, error: `no method ${message.method}` });
    answer.then((reply) => process.send?.(reply));
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    shutdown().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

export function announceReady<Info>(info: Info): void {
  process.send?.({ ready: info });
}

/**
 * Inside a child that only serves HTTP (the baseline, oidc-provider alone): `listener` on a free
 * port of 127.0.0.1 until the parent stops the child. Returns the origin.
 */
export async function serveHttp(listener: RequestListener): Promise<string> {
  const server = createServer(listener).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  serve({}, async () => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${port}`;
}
