import { createHmac } from 'node:crypto';

const BASE64_TO_URL: Record<string, string> = { '/': '_', '+': '-', '=': '' };

/**
 * The Cookie header a browser holding session `id` sends: `_session` and its `.sig` companion,
 * signed the way koa (keygrip: HMAC-SHA1, URL-safe base64) signs it with the server's newest
 * cookie secret. The benchmark knows that secret because it gave it to the server.
 */
export function sessionCookie(cookieSecret: string, id: string): string {
  const pair = `_session=${id}`;
  const signature = createHmac('sha1', cookieSecret)
    .update(pair)
    .digest('base64')
    .replace(/[/+=]/g, (character) => BASE64_TO_URL[character] ?? '');
  return `${pair}; _session.sig=${signature}`;
}
