import type { Context } from 'koa';
import type { RenderPage } from './render.ts';

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
 * words for the error code, and the description as detail except where it is ours to keep (5xx).
 */
function renderErrorPage(render: RenderPage, problem: Problem): string {
  const notFound = problem.error === 'not_found';
  return render('error', {
    title: problem.status === 404 ? 'Page not found' : 'Something went wrong',
    message: notFound
      ? problem.description
      : FRIENDLY[problem.error] || 'The request could not be completed.',
    detail: notFound || problem.status >= 500 ? undefined : problem.description || undefined,
    code: problem.error,
    status: problem.status,
  });
}

/**
 * Answers with a problem: the error page for a client that prefers HTML (a browser), OAuth error
 * JSON for any other (a program, whatever Accept it sends or leaves out).
 */
export function respondWithProblem(ctx: Context, render: RenderPage, problem: Problem): void {
  ctx.status = problem.status;
  if (ctx.accepts('json', 'html') === 'html') {
    ctx.type = 'html';
    ctx.body = renderErrorPage(render, problem);
  } else {
    ctx.body = { error: problem.error, error_description: problem.description };
  }
}
