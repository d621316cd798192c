import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, Middleware } from 'koa';
import type { PublicSigningJwk } from '../domain/signing-keys.service.ts';
import type { Logger } from '../shared/logger.ts';
import { logRequest, type RequestObserver } from './request-log.ts';
import { SECURITY_HEADERS, STRICT_TRANSPORT_SECURITY } from './security-headers.ts';

/** The discovery documents oidc-provider answers identically to every request. */
export const DISCOVERY_PATHS = [
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
] as const;

/** Where the JSON Web Key Set is published: oidc-provider's path and the common well-known one. */
export const JWKS_PATHS = ['/jwks', '/.well-known/jwks.json'] as const;

export interface StaticDocumentsDeps {
  /** Discovery is kept only from a request that came in at the issuer's own origin. */
  issuer: string;
  /** The Provider in force; its discovery document is kept per Provider. */
  provider: () => object;
  /** The published keys in force on this instance (next, current, retired). */
  jwks: () => readonly PublicSigningJwk[];
  jwksMaxAgeSeconds: number;
  logger: Logger;
  /** Measures the answers as Koa's requests are (under oidc-provider's route names). */
  observe?: RequestObserver | undefined;
}

interface Snapshot {
  /** Name, value, name, value...: the form node:http writes fastest. */
  headers: string[];
  /**
   * A string, not bytes: Node's http writes a string body with the headers in one write, and a
   * Buffer as a separate chunk after them.
   */
  body: string;
  /** Content-Length: the body's length in bytes. */
  length: string;
}

// Set per request: CORS (below), HSTS (https only), and by Node and koa for every response.
const PER_REQUEST = new Set([
  'vary',
  'access-control-allow-origin',
  'strict-transport-security',
  'content-length',
  'date',
]);

/**
 * JWKS and discovery: what resource servers and clients fetch most, the same bytes for everyone
 * until the keys change. They are answered before Koa (`answer`, called by the server's request
 * listener), from bytes kept in memory: Koa's request context and middleware cost more than the
 * rest of such an answer (see docs/PERFORMANCE.md). The answer carries the headers every response
 * gets (security headers, HSTS over https) and is logged like any request.
 *
 * JWKS is served from the key set in force, with `max-age` shorter than the time a key is
 * published before it signs, so no cache can miss a key that signs; CORS `*`. (oidc-provider's
 * own /jwks route cannot say how long the set may be cached, and serves one path only.)
 *
 * Discovery comes from oidc-provider: the first 200 answer of each Provider passes through
 * `capture` (Koa) and is kept as bytes with its headers; later requests get those bytes, with the
 * CORS headers oidc-provider gives public documents (shared/cors.js: Vary: Origin, and the
 * request's Origin or `*` allowed) computed per request. A rebuilt Provider (new keys) starts
 * over.
 */
export function createStaticDocuments(deps: StaticDocumentsDeps) {
  const discoveryPaths: ReadonlySet<string> = new Set(DISCOVERY_PATHS);
  const jwksPaths: ReadonlySet<string> = new Set(JWKS_PATHS);
  const issuerOrigin = new URL(deps.issuer).origin;
  const discovery = new WeakMap<object, Map<string, Snapshot>>();
  let jwks: { keys: readonly PublicSigningJwk[]; snapshot: Snapshot } | undefined;

  const jwksSnapshot = (): Snapshot => {
    const keys = deps.jwks();
    if (jwks?.keys !== keys) {
      const headers = Object.entries({
        'Content-Type': 'application/jwk-set+json; charset=utf-8',
        'Cache-Control': `public, max-age=${deps.jwksMaxAgeSeconds}`,
        ...SECURITY_HEADERS,
      }).flat();
      jwks = { keys, snapshot: snapshotOf(headers, JSON.stringify({ keys })) };
    }
    return jwks.snapshot;
  };

  const discoverySnapshots = () => {
    const provider = deps.provider();
    let byPath = discovery.get(provider);
    if (!byPath) {
      byPath = new Map();
      discovery.set(provider, byPath);
    }
    return byPath;
  };

  // As for every request (pin-host.ts): the issuer's scheme is the request's scheme.
  const secure = issuerOrigin.startsWith('https:');

  return {
    /**
     * Answers a GET or HEAD of a static document it holds, before Koa; false for anything else
     * (then Koa handles the request).
     */
    answer(req: IncomingMessage, res: ServerResponse): boolean {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      const started = performance.now();
      const url = req.url ?? '';
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      let snapshot: Snapshot | undefined;
      let headers: string[];
      let route: 'jwks' | 'discovery' = 'jwks';
      if (jwksPaths.has(jwksPathOf(path))) {
        snapshot = jwksSnapshot();
        headers = [...snapshot.headers, 'Access-Control-Allow-Origin', '*'];
      } else if (discoveryPaths.has(path)) {
        route = 'discovery';
        snapshot = discoverySnapshots().get(path);
        if (!snapshot) return false;
        const origin = req.headers.origin || '*';
        headers = [...snapshot.headers, 'Vary', 'Origin', 'Access-Control-Allow-Origin', origin];
      } else {
        return false;
      }
      if (secure) headers.push('Strict-Transport-Security', STRICT_TRANSPORT_SECURITY);
      headers.push('Content-Length', snapshot.length);
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : snapshot.body);
      logRequest(deps.logger, req.method, path, 200, started);
      deps.observe?.(route, req.method, 200, (performance.now() - started) / 1000);
      return true;
    },

    /**
     * Koa: lets oidc-provider answer a discovery request and keeps the first 200 answer to a
     * request at the issuer's origin (oidc-provider builds the document's URLs from the request;
     * its host and scheme are pinned to the issuer's, this checks that they were).
     */
    capture: (async (ctx, next) => {
      const byPath = discoverySnapshots(); // the Provider that answers, even if replaced meanwhile
      await next();
      if (!discoveryPaths.has(ctx.path) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return;
      if (byPath.has(ctx.path) || `${ctx.protocol}://${ctx.host}` !== issuerOrigin) return;
      const taken = take(ctx);
      if (taken) byPath.set(ctx.path, taken);
    }) as Middleware,
  };
}

export type StaticDocuments = ReturnType<typeof createStaticDocuments>;

/** JWKS paths match as Koa's router matched them: case-insensitively, a trailing slash allowed. */
function jwksPathOf(path: string): string {
  return (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path).toLowerCase();
}

function take(ctx: Context): Snapshot | undefined {
  const body: unknown = ctx.body;
  if (ctx.status !== 200 || ctx.response.get('Set-Cookie') || !isPlainObject(body)) return;
  const headers: string[] = [];
  for (const [name, value] of Object.entries(ctx.response.headers)) {
    if (!PER_REQUEST.has(name.toLowerCase()) && typeof value === 'string')
      headers.push(name, value);
  }
  const snapshot = snapshotOf(headers, JSON.stringify(body));
  ctx.body = snapshot.body;
  return snapshot;
}

function snapshotOf(headers: string[], body: string): Snapshot {
  return { headers, body, length: String(Buffer.byteLength(body)) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}
