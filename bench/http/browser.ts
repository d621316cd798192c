import { createCookieJar } from './cookie-jar.ts';
import { type Sent, send } from './send.ts';

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

  async function follow(url: URL, sent: Sent, hops = 0): Promise<Page> {
    if (hops > 10) throw new Error(`too many redirects at ${url.pathname}`);
    const cookie = jar.header(url);
    const answer = await send(url, {
      ...sent,
      headers: { accept: 'text/html', ...sent.headers, ...(cookie ? { cookie } : {}) },
    });
    jar.store(answer.headers['set-cookie'] ?? []);
    const { location } = answer.headers;
    if (answer.status >= 300 && answer.status < 400 && location) {
      const next = new URL(location, url);
      if (next.href.startsWith(stopAt)) return { url: next.href, status: answer.status, body: '' };
      return follow(next, { method: 'GET' }, hops + 1);
    }
    return { url: url.href, status: answer.status, body: answer.body };
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
