import type { Context, Middleware } from 'koa';
import type { Logger } from '../shared/logger.ts';

/**
 * Told of every request answered on the public port, for the request-duration metric: its route
 * (never the raw path, which carries ids), method, status and duration in seconds.
 */
export type RequestObserver = (
  route: string,
  method: string,
  status: number,
  seconds: number,
) => void;

/**
 * One line per request. Only the path is logged: query strings carry codes, tokens and state,
 * and headers carry credentials and cookies. With an observer, the request is also measured.
 */
export function requestLog(logger: Logger, observe?: RequestObserver): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      logRequest(logger, ctx.method, ctx.path, ctx.status, started);
      observe?.(routeOf(ctx), ctx.method, ctx.status, (performance.now() - started) / 1000);
    }
  };
}

/** The line itself, also written for the documents answered before Koa (static-documents.ts). */
export function logRequest(
  logger: Logger,
  method: string,
  path: string,
  status: number,
  started: number,
): void {
  const ms = Math.round((performance.now() - started) * 10) / 10;
  logger.info({ method, path, status, ms }, 'request');
}

/**
 * A request's route, as a short fixed list: oidc-provider's name for its routes (`token`,
 * `authorization`, ...), the pattern of ours (`/interaction/:uid/login`), `unmatched` for any
 * other path, so no id or typo ever becomes a label of its own.
 */
function routeOf(ctx: Context): string {
  const { oidc, routerPath } = ctx as Context & { oidc?: { route?: string }; routerPath?: string };
  return oidc?.route ?? routerPath ?? 'unmatched';
}
