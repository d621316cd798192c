import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { RenderPage } from '../render.ts';

type RpInitiatedLogout = NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>;

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

export function friendlyMessage(code: string | undefined): string {
  return (code && FRIENDLY[code]) || 'The request could not be completed.';
}

/** Error pages shown to people in the browser; protocol clients get JSON elsewhere. */
export function errorPageRenderer(render: RenderPage): Configuration['renderError'] {
  return async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = render('error', {
      title: 'Something went wrong',
      message: friendlyMessage(out.error),
      detail: out.error === 'server_error' ? undefined : out.error_description,
      code: out.error,
      status: ctx.status,
    });
  };
}

export function logoutPages(
  render: RenderPage,
): Pick<RpInitiatedLogout, 'logoutSource' | 'postLogoutSuccessSource'> {
  const clientNameOf = (ctx: KoaContextWithOIDC) =>
    ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId;
  return {
    async logoutSource(ctx, form) {
      ctx.type = 'html';
      ctx.body = render('logout', {
        logoutForm: form,
        host: ctx.host,
        clientName: clientNameOf(ctx),
      });
    },
    async postLogoutSuccessSource(ctx) {
      ctx.type = 'html';
      ctx.body = render('logged-out', { clientName: clientNameOf(ctx) });
    },
  };
}
