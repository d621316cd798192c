import type { Middleware } from 'koa';
import type { Logger } from '../shared/logger.ts';

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
      logRequest(logger, ctx.method, ctx.path, ctx.status, started);
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
