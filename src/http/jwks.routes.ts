import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { PublicSigningJwk } from '../domain/signing-keys.service.ts';

export interface JwksDeps {
  /** The published keys in force on this instance (next, current, retired). */
  keys: () => readonly PublicSigningJwk[];
  maxAgeSeconds: number;
}

/**
 * The JSON Web Key Set, served by us rather than by oidc-provider, in front of its /jwks route:
 * its route cannot say how long the set may be cached, and it serves one path only. The keys are
 * the same key set the Provider in force was built from, and `max-age` is shorter than the time a
 * key is published before it signs, so no cache can miss a key that signs.
 */
export function jwksRoutes(deps: JwksDeps): Router {
  const router = new Router();
  const serve: Middleware = (ctx) => {
    ctx.set('Cache-Control', `public, max-age=${deps.maxAgeSeconds}`);
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.type = 'application/jwk-set+json; charset=utf-8';
    ctx.body = { keys: deps.keys() };
  };
  router.get('/jwks', serve);
  router.get('/.well-known/jwks.json', serve);
  return router;
}
