import { createCookieJar } from './cookie-jar.ts';

export interface Page {
  url: string;
  status: number;
  body: string;
}

/**
 * A scripted browser: keeps cookies, follows redirects by hand and stops at the first redirect
 * into `stopAt` (the client's redirect URI, which nothing serves).
 */
export function createBrowser(stopAt: string) {
  const jar = createCookieJar();

  async function follow(url: URL, init: RequestInit, hops = 0): Promise<Page> {
    if (hops > 10) throw new Error(`too many redirects at ${url.pathname}`);
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { accept: 'text/html', ...init.headers, cookie: jar.header(url) },
    });
    jar.store(response.headers);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, url);
      if (next.href.startsWith(stopAt))
        return { url: next.href, status: response.status, body: '' };
      return follow(next, { method: 'GET' }, hops + 1);
    }
    return { url: url.href, status: response.status, body: await response.text() };
  }

  return {
    get: (url: URL) => follow(url, { method: 'GET' }),
    post: (url: URL, form: Record<string, string>) =>
      follow(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      }),
  };
}

export type Browser = ReturnType<typeof createBrowser>;

/** The action and hidden fields of the first form whose action matches: the tests' parser. */
export { findForm } from '../../test/support/browser.ts';
