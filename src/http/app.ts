import Koa from 'koa';
import type { CookieKeyRing } from '../domain/cookie-key-ring.ts';
import type { Logger } from '../logger.ts';
import type { ProviderHost } from '../oidc/provider-host.ts';
import type { RenderPage } from '../render.ts';
import { assets } from './assets.ts';
import { errorHandler } from './error-handler.ts';
import { healthRoutes, type ReadinessCheck } from './health.routes.ts';
import { type InteractionDeps, interactionRoutes } from './interaction.routes.ts';
import { type JwksDeps, jwksRoutes } from './jwks.routes.ts';
import { pinHostToIssuer } from './pin-host.ts';
import { requestLog } from './request-log.ts';
import { securityHeaders } from './security-headers.ts';
import { staticDocuments } from './static-documents.ts';

export interface HttpDeps {
  issuer: string;
  trustProxy: boolean;
  /**
   * Signs cookies. oidc-provider runs on this app's request context, so it uses these too; the
   * ring follows cookie key rotation by itself.
   */
  cookieKeys: CookieKeyRing;
  jwks: JwksDeps;
  logger: Logger;
  render: RenderPage;
  providerHost: ProviderHost;
  /** Storage's scope for one protocol request (see storage/request-scope.ts). */
  requestScope: <T>(fn: () => Promise<T>) => Promise<T>;
  interactions: Omit<InteractionDeps, 'provider' | 'render'>;
  readiness: Record<string, ReadinessCheck>;
}

/**
 * The Koa app: our routes first (health, assets, JWKS, interaction pages), then oidc-provider for
 * every protocol endpoint, as oidc-provider's own example composes it.
 */
export function createHttpApp(deps: HttpDeps): Koa {
  const app = new Koa({ proxy: deps.trustProxy });
  app.keys = deps.cookieKeys;
  app.silent = true;
  app.on('error', (err) => deps.logger.error({ err }, 'unhandled error'));
  const interactions = interactionRoutes({
    ...deps.interactions,
    render: deps.render,
    provider: () => deps.providerHost.current,
  });
  const health = healthRoutes(deps.readiness);
  app.use(requestLog(deps.logger));
  app.use(errorHandler(deps.render, deps.logger));
  app.use(securityHeaders());
  // Ahead of the routers: the most requested documents skip the route matching they never need.
  app.use(staticDocuments(() => deps.providerHost.current));
  app.use(health.routes());
  app.use(assets());
  app.use(jwksRoutes(deps.jwks).routes());
  app.use(interactions.routes());
  app.use(interactions.allowedMethods());
  app.use(pinHostToIssuer(deps.issuer));
  app.use((ctx, next) => deps.requestScope(() => deps.providerHost.middleware(ctx, next)));
  return app;
}
