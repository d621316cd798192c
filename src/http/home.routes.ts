import Router from '@koa/router';
import type { RenderPage } from './render.ts';

/**
 * `/`: whoever types the server's address gets a page saying what it is, with the links a
 * developer looks for, instead of "Page not found".
 */
export function homeRoutes(issuer: string, render: RenderPage): Router {
  const router = new Router();
  const page = render('home', {
    issuer,
    discoveryUrl: new URL('.well-known/openid-configuration', withSlash(issuer)).href,
    jwksUrl: new URL('jwks', withSlash(issuer)).href,
  });
  router.get('/', (ctx) => {
    ctx.type = 'html';
    ctx.body = page;
  });
  return router;
}

/** An issuer may have a path (https://example.com/auth): its endpoints live under it. */
function withSlash(issuer: string): string {
  return issuer.endsWith('/') ? issuer : `${issuer}/`;
}
