import type { Middleware } from 'koa';
import compose from 'koa-compose';
import type Provider from 'oidc-provider';

/**
 * Holds the Provider in force. Requests go to whichever Provider is current when they arrive, so
 * a rebuilt Provider (new signing keys) can replace the old one without a restart; requests
 * already inside the old one finish there. Storage is shared, so sessions and tokens carry over.
 */
export function createProviderHost(initial: Provider) {
  let provider = initial;
  let handle = compose(initial.middleware) as Middleware;
  return {
    get current(): Provider {
      return provider;
    },
    replace(next: Provider): void {
      provider = next;
      handle = compose(next.middleware) as Middleware;
    },
    middleware: ((ctx, next) => handle(ctx, next)) as Middleware,
  };
}

export type ProviderHost = ReturnType<typeof createProviderHost>;
