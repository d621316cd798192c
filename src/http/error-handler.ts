import type { Context, Middleware } from 'koa';
import { errors } from 'oidc-provider';
import { DependencyUnavailableError, PortcullisError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { type Problem, respondWithProblem } from './error-page.ts';
import type { RenderPage } from './render.ts';
import { setSecurityHeaders } from './security-headers.ts';
import { wayBackOf } from './way-back.ts';

/** Every method some address of this server answers. */
const SERVED_METHODS = 'GET, HEAD, POST, OPTIONS';

/**
 * The one place where errors thrown by our routes become responses: OAuth error JSON for
 * programs, the error page for people. Nothing internal (stack, SQL, paths) reaches a response.
 * (oidc-provider answers for its own routes; their error pages go through error-page.ts too.)
 */
export function errorHandler(render: RenderPage, logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined) answerUnanswered(ctx, render);
    } catch (error) {
      const problem = problemOf(error);
      // Whatever the failed handling had set (a redirect's Location, a token response's headers)
      // does not belong to the error: start again from the headers every response carries.
      if (!ctx.headerSent) {
        for (const name of ctx.res.getHeaderNames()) ctx.res.removeHeader(name);
        setSecurityHeaders(ctx);
        ctx.set('Cache-Control', 'no-store');
      }
      // A dependency that is down is reported once by its client; one line per request is enough.
      if (problem.status === 503) logger.warn({ path: ctx.path }, 'request refused: unavailable');
      else if (problem.status >= 500)
        logger.error({ err: error, path: ctx.path }, 'request failed');
      const wayBack = await wayBackOf(ctx);
      respondWithProblem(ctx, render, problem, { wayBack, logger });
    }
  };
}

/** A 404, 405 or 501 that nothing gave a body: said in the words of every other error. */
function answerUnanswered(ctx: Context, render: RenderPage): void {
  if (ctx.status === 404) {
    respondWithProblem(ctx, render, {
      status: 404,
      error: 'not_found',
      description: 'No such page.',
    });
  } else if (ctx.status === 405 || ctx.status === 501) {
    // @koa/router says 501 to a method none of its routes knows (TRACE, PROPFIND...), with no
    // Allow when the path is not one of its own. Such a method is no failure of ours but one this
    // address does not take: 405, naming the methods it takes, or else those the server takes.
    if (!ctx.response.get('Allow')) ctx.set('Allow', SERVED_METHODS);
    const description = `This address accepts ${ctx.response.get('Allow')} only.`;
    respondWithProblem(ctx, render, { status: 405, error: 'invalid_request', description });
  }
}

/**
 * How an error is stated to whoever sent the request. Ours are shown when the caller can act on
 * them (4xx, and 503: come back later); a 5xx of ours (stored keys the key-encryption key does
 * not open) is for the operator, who finds it in the log, and a plain server_error here.
 */
export function problemOf(error: unknown): Problem {
  const unavailable = error instanceof DependencyUnavailableError;
  if (error instanceof PortcullisError && (error.status < 500 || unavailable)) {
    return { status: error.status, error: error.code, description: error.message };
  }
  if (error instanceof errors.SessionNotFound) {
    // oidc-provider calls a missing or expired interaction cookie invalid_request; for the person
    // in front of the page it means their sign-in expired.
    return { status: error.status, error: 'session_not_found', description: '' };
  }
  if (error instanceof errors.OIDCProviderError) {
    return { status: error.status, error: error.error, description: error.error_description ?? '' };
  }
  // Koa's own (http-errors), such as a body too large or one that does not parse.
  const status = (error as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, error: 'invalid_request', description: 'The request could not be read.' };
  }
  return { status: 500, error: 'server_error', description: 'An unexpected error occurred.' };
}
