import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ProviderPages } from '../oidc/provider.ts';
import type { Logger } from '../shared/logger.ts';
import { respondWithProblem } from './error-page.ts';
import type { RenderPage } from './render.ts';
import { clientWayBack } from './way-back.ts';

/** The pages oidc-provider shows people: its error page and the two logout pages. */
export function providerPages(render: RenderPage, logger: Logger): ProviderPages {
  const clientNameOf = (ctx: KoaContextWithOIDC) =>
    ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId;
  return {
    // oidc-provider calls this where it cannot send the error back to the client (an unknown
    // client or redirect_uri): a page for a browser, OAuth error JSON for a program. The way
    // back is the client's, when the request named a registered one.
    async renderError(ctx, out) {
      const problem = {
        status: ctx.status,
        error: out.error,
        description: out.error_description ?? '',
      };
      const wayBack = clientWayBack(ctx.oidc?.client, ctx.oidc?.params?.redirect_uri);
      respondWithProblem(ctx, render, problem, { wayBack, logger });
    },
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
