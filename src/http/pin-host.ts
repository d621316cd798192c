import type { Middleware } from 'koa';

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
