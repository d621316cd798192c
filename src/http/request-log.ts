import type { Middleware } from 'koa';
import type { Logger } from '../logger.ts';

/**
 * One line per request. Only the path is logged: query strings carry codes, tokens and state,
 * and headers carry credentials and cookies.
 */
export function requestLog(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      logger.info(
        {
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        'request',
      );
    }
  };
}
