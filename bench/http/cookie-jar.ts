/**
 * The cookies of one browser, for one origin: enough of RFC 6265 for Portcullis's own cookies
 * (name, value, path; a past expiry deletes).
 */
export function createCookieJar() {
  const cookies = new Map<string, { name: string; value: string; path: string }>();
  return {
    header(url: URL): string {
      return [...cookies.values()]
        .filter((cookie) => url.pathname.startsWith(cookie.path))
        .map((cookie) => `${cookie.name}=${cookie.value}`)
        .join('; ');
    },
    /** The Set-Cookie lines of one answer. */
    store(setCookies: readonly string[]): void {
      for (const line of setCookies) {
        const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
        const index = pair.indexOf('=');
        const name = pair.slice(0, index);
        const value = pair.slice(index + 1);
        const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/';
        const expired = attributes.some((a) => /^expires=Thu, 01 Jan 1970/i.test(a));
        if (expired || value === '') cookies.delete(`${name};${path}`);
        else cookies.set(`${name};${path}`, { name, value, path });
      }
    },
  };
}
