/**
 * The messages the benchmark exchanges with its child processes over the IPC channel: the child
 * announces that it is ready once, then answers calls by method name.
 */
export interface ReadyNotice<Info> {
  ready: Info;
}

export interface RpcCall {
  rpc: number;
  method: string;
  params: unknown;
}

export interface RpcReply {
  rpc: number;
  result?: unknown;
  error?: string;
}

/** What a child serves: each method takes one argument and answers asynchronously. */
export type Methods<Api> = { [M in keyof Api]: (params: never) => Promise<unknown> };

export function isRpcCall(message: unknown): message is RpcCall {
  return typeof message === 'object' && message !== null && 'rpc' in message && 'method' in message;
}

export function isRpcReply(message: unknown): message is RpcReply {
  return (
    typeof message === 'object' && message !== null && 'rpc' in message && !('method' in message)
  );
}

export function isReadyNotice<Info>(message: unknown): message is ReadyNotice<Info> {
  return typeof message === 'object' && message !== null && 'ready' in message;
}
