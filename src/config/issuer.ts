const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * In production the issuer must be https: over plain http, codes, tokens and session cookies
 * cross the network in the clear. Loopback is the exception (a server reached only from its own
 * machine, or behind a proxy on it that the issuer does not name). An unset issuer is
 * http://localhost, a loopback issuer.
 */
export function issuerProblem(env: string, issuer: string | undefined): string | undefined {
  if (env !== 'production' || issuer === undefined) return undefined;
  const url = new URL(issuer);
  if (url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return `must be https in production (http is allowed only for localhost, 127.0.0.1 and [::1]); got ${url.origin}`;
}
