import type { KoaContextWithOIDC } from 'oidc-provider';
import type { ProviderPages } from '../oidc/provider.ts';
import { respondWithProblem } from './error-page.ts';
import type { RenderPage } from './render.ts';

/** The pages oidc-provider shows people: its error page and the two logout pages. */
export function providerPages(render: RenderPage): ProviderPages {
  const clientNameOf = (ctx: KoaContextWithOIDC) =>
    ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId;
  return {
    // oidc-provider calls this where it cannot send the error back to the client (an unknown
    // client or redirect_uri): a page for a browser, OAuth error JSON for a program.
    async renderError(ctx, out) {
      respondWithProblem(ctx, render, {
        status: ctx.status,
        error: out.error,
        description: out.error_description ?? '',
      });
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
