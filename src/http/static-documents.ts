import type { Context, Middleware } from 'koa';

/**
 * The documents oidc-provider answers identically to every request, by path. (JWKS is served by
 * jwks.routes.ts, outside oidc-provider, from the key set in force.)
 */
export const STATIC_DOCUMENT_PATHS = [
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
] as const;

interface Snapshot {
  headers: Record<string, string>;
  body: Buffer;
}

// Set per request by oidc-provider's CORS for public documents (echo the Origin, else '*'), or
// by Node and koa for every response.
const PER_REQUEST = new Set(['vary', 'access-control-allow-origin', 'content-length', 'date']);

/**
 * Discovery is the same bytes for everyone until the Provider is replaced (new keys build a new
 * one), yet oidc-provider builds and serialises it on every request. The first 200 answer of each
 * Provider (`current()`) is kept as bytes and replayed, with the CORS headers oidc-provider gives
 * public documents (shared/cors.js: Vary: Origin, and the request's Origin or `*` allowed)
 * computed for each request.
 */
export function staticDocuments(current: () => object): Middleware {
  const snapshots = new WeakMap<object, Map<string, Snapshot>>();
  const paths: ReadonlySet<string> = new Set(STATIC_DOCUMENT_PATHS);
  return async (ctx, next) => {
    if (!paths.has(ctx.path) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    const provider = current();
    let byPath = snapshots.get(provider);
    if (!byPath) {
      byPath = new Map();
      snapshots.set(provider, byPath);
    }
    const snapshot = byPath.get(ctx.path);
    if (snapshot) return replay(ctx, snapshot);
    await next();
    const taken = take(ctx);
    if (taken) byPath.set(ctx.path, taken);
  };
}

function take(ctx: Context): Snapshot | undefined {
  const body: unknown = ctx.body;
  if (ctx.status !== 200 || ctx.response.get('Set-Cookie') || !isPlainObject(body)) return;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(ctx.response.headers)) {
    if (!PER_REQUEST.has(name.toLowerCase()) && typeof value === 'string') headers[name] = value;
  }
  const bytes = Buffer.from(JSON.stringify(body));
  ctx.body = bytes;
  return { headers, body: bytes };
}

function replay(ctx: Context, snapshot: Snapshot): void {
  ctx.status = 200;
  ctx.set(snapshot.headers);
  ctx.vary('Origin');
  ctx.set('Access-Control-Allow-Origin', ctx.get('Origin') || '*');
  ctx.body = snapshot.body;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}
