import type Koa from 'koa';
import type { Middleware } from 'koa';

/**
 * The issuer's scheme is the scheme of every request: with an https issuer, each request counts
 * as https (`ctx.protocol`, `ctx.secure`) whether it reached us through a TLS-terminating proxy,
 * trusted or not, or directly. So discovery and redirects never advertise http://, cookies carry
 * `Secure` and responses carry HSTS. X-Forwarded-Proto is never read: the proxy-trust setting
 * decides only which client IP counts. Set on the app's request prototype: no per-request work.
 */
export function pinProtocolToIssuer(app: Koa, issuer: string): void {
  const protocol = new URL(issuer).protocol.slice(0, -1);
  Object.defineProperty(app.request, 'protocol', { get: () => protocol, configurable: true });
}

/**
 * oidc-provider builds endpoint URLs (discovery, redirects back to /auth) from the request's Host,
 * or X-Forwarded-Host behind a trusted proxy. Pinning both to the issuer's host means a forged
 * Host header can never put another origin into discovery or a redirect (cache poisoning), and
 * every instance behind a load balancer points clients at the public issuer.
 */
export function pinHostToIssuer(issuer: string): Middleware {
  const { host } = new URL(issuer);
  return async (ctx, next) => {
    ctx.req.headers.host = host;
    if (ctx.app.proxy) delete ctx.req.headers['x-forwarded-host'];
    await next();
  };
}
