const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
// RFC 8252 §7.1: a private-use scheme is a reverse domain name, such as com.example.app.
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/;

export type RedirectUriKind = 'web' | 'native';

/**
 * Why a redirect URI is unacceptable, or undefined when it is fine. Accepted: https URLs, http on
 * a loopback host (development and native apps), and private-use schemes for native apps.
 */
export function redirectUriProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an absolute URL';
  }
  // The URL parser would drop or escape them; what is stored must be what clients send.
  if ([...value].some((c) => c <= ' ' || c === '\x7f'))
    return 'must not contain spaces or control characters';
  if (url.hash || value.includes('#')) return 'must not contain a fragment';
  if (value.includes('*')) return 'must not contain wildcards';
  if (url.username || url.password) return 'must not contain credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return LOOPBACK_HOSTS.has(url.hostname)
      ? undefined
      : 'must use https unless the host is loopback';
  }
  if (PRIVATE_USE_SCHEME.test(url.protocol)) return undefined;
  return 'must use https, http on loopback, or a reverse-domain private-use scheme';
}

/**
 * Why an extra CORS origin of a client is unacceptable, or undefined when it is fine: exactly an
 * origin (scheme, host, port; no path, no wildcard), https, or http on a loopback host.
 */
export function allowedOriginProblem(value: string): string | undefined {
  if (value.includes('*')) return 'must not contain wildcards';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not an origin (https://host[:port])';
  }
  if (url.origin !== value) return 'must be an origin alone: scheme, host and port, no path';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return 'must use https unless the host is loopback';
}

export function redirectUriKind(value: string): RedirectUriKind {
  const protocol = new URL(value).protocol;
  return protocol === 'https:' || protocol === 'http:' ? 'web' : 'native';
}
