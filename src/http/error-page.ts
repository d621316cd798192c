import type { Context } from 'koa';
import type { Logger } from '../shared/logger.ts';
import type { RenderPage } from './render.ts';
import type { WayBack } from './way-back.ts';

/** An error as a response states it: OAuth error code, its description, and the HTTP status. */
export interface Problem {
  status: number;
  error: string;
  description: string;
}

const FRIENDLY: Record<string, string> = {
  invalid_client: 'This application is not registered with us, or its details do not match.',
  invalid_redirect_uri: 'This application asked to return you to an address it has not registered.',
  invalid_request: 'The sign-in request from this application was not valid.',
  invalid_scope: 'This application asked for permissions it may not have.',
  unauthorized_client: 'This application is not allowed to sign you in this way.',
  unsupported_response_type: 'This application asked for a response type we do not support.',
  access_denied: 'Access was denied.',
  session_not_found: 'Your sign-in session has expired. Go back to the application and try again.',
  invalid_grant: 'This sign-in link has expired or was already used.',
  server_error: 'Something went wrong on our side. Please try again in a moment.',
  temporarily_unavailable: 'The service is temporarily unavailable. Please try again in a moment.',
};

/**
 * The error page people see, from our routes and from oidc-provider alike: a sentence in their
 * words for the error code first, a link back to the application when one is known, and the
 * technical detail (the description, the code, the status) folded away for whoever has to fix
 * it, except where it is ours to keep (5xx).
 */
function renderErrorPage(render: RenderPage, problem: Problem, wayBack?: WayBack): string {
  const notFound = problem.error === 'not_found';
  return render('error', {
    title: problem.status === 404 ? 'Page not found' : 'Something went wrong',
    message: notFound
      ? problem.description
      : FRIENDLY[problem.error] || 'The request could not be completed.',
    detail: notFound || problem.status >= 500 ? undefined : problem.description || undefined,
    code: problem.error,
    status: problem.status,
    backTo: wayBack,
  });
}

export interface ProblemPageOptions {
  /** Where the page may send the person back to (see way-back.ts). */
  wayBack?: WayBack | undefined;
  /**
   * Told of every error page shown, with its technical detail: the person sees a sentence, the
   * operator who hears of it finds the cause here. Descriptions are safe to show, so to log.
   */
  logger?: Logger | undefined;
}

/**
 * Answers with a problem: the error page for a client that prefers HTML (a browser), OAuth error
 * JSON for any other (a program, whatever Accept it sends or leaves out).
 */
export function respondWithProblem(
  ctx: Context,
  render: RenderPage,
  problem: Problem,
  options: ProblemPageOptions = {},
): void {
  ctx.status = problem.status;
  if (ctx.accepts('json', 'html') === 'html') {
    options.logger?.info(
      {
        path: ctx.path,
        status: problem.status,
        error: problem.error,
        description: problem.description,
      },
      'error page shown',
    );
    ctx.type = 'html';
    ctx.body = renderErrorPage(render, problem, options.wayBack);
  } else {
    ctx.body = { error: problem.error, error_description: problem.description };
  }
}
