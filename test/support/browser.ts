/**
 * A minimal user agent for driving the login and consent pages over HTTP: it keeps cookies per
 * origin and path, follows redirects by hand, and stops when it reaches the client's redirect URI
 * (which nothing serves). Enough for e2e tests that do not need a real browser.
 */
export interface Page {
  url: string;
  status: number;
  headers: Headers;
  body: string;
}

interface StoredCookie {
  name: string;
  value: string;
  path: string;
}

export class Browser {
  readonly cookies = new Map<string, StoredCookie>();
  /** Every Set-Cookie line received, attributes included, in order. */
  readonly setCookieLines: string[] = [];

  private readonly stopAt: string[];

  constructor(stopAt: string[] = []) {
    this.stopAt = stopAt;
  }

  async get(url: string): Promise<Page> {
    return this.follow(url, { method: 'GET' });
  }

  async post(url: string, form: Record<string, string>): Promise<Page> {
    return this.follow(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Submits the form whose action matches `actionPattern` on the page, with extra fields. */
  async submit(
    page: Page,
    actionPattern: RegExp,
    fields: Record<string, string> = {},
  ): Promise<Page> {
    const form = findForm(page.body, actionPattern);
    if (!form)
      throw new Error(`no form matching ${actionPattern} on ${page.url} (status ${page.status})`);
    return this.post(new URL(form.action, page.url).toString(), { ...form.inputs, ...fields });
  }

  private async follow(url: string, init: RequestInit, hops = 0): Promise<Page> {
    if (hops > 15) throw new Error('too many redirects');
    const target = new URL(url);
    const response = await fetch(target, {
      ...init,
      redirect: 'manual',
      headers: { accept: 'text/html', ...(init.headers ?? {}), cookie: this.cookieHeader(target) },
    });
    this.store(response.headers);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, target).toString();
      if (this.stopAt.some((prefix) => next.startsWith(prefix))) {
        return { url: next, status: response.status, headers: response.headers, body: '' };
      }
      return this.follow(next, { method: 'GET' }, hops + 1);
    }
    return {
      url: target.toString(),
      status: response.status,
      headers: response.headers,
      body: await response.text(),
    };
  }

  private cookieHeader(url: URL): string {
    return [...this.cookies.values()]
      .filter((cookie) => url.pathname.startsWith(cookie.path))
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  private store(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      this.setCookieLines.push(line);
      const [pair = '', ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const path =
        attributes
          .map((a) => a.trim())
          .find((a) => a.toLowerCase().startsWith('path='))
          ?.slice(5) ?? '/';
      const expired = attributes.some((a) => /^expires=Thu, 01 Jan 1970/i.test(a.trim()));
      const key = `${name};${path}`;
      if (expired || value === '') this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }
}

export function findForm(html: string, actionPattern: RegExp) {
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const action = /action="([^"]*)"/i.exec(match[1] ?? '')?.[1]?.replaceAll('&amp;', '&');
    if (action === undefined || !actionPattern.test(action)) continue;
    const inputs: Record<string, string> = {};
    for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
      const name = /name="([^"]*)"/i.exec(input[1] ?? '')?.[1];
      const value = /value="([^"]*)"/i.exec(input[1] ?? '')?.[1] ?? '';
      if (name && /type="hidden"/i.test(input[1] ?? ''))
        inputs[name] = value.replaceAll('&amp;', '&');
    }
    return { action, inputs };
  }
  return undefined;
}
