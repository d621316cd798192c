import type { RequestListener } from 'node:http';
import Koa from 'koa';
import type { CookieKeyRing } from '../domain/cookie-key-ring.ts';
import type { PublicSigningJwk } from '../domain/signing-keys.service.ts';
import type { ProviderHost } from '../oidc/provider-host.ts';
import type { Logger } from '../shared/logger.ts';
import { assets } from './assets.ts';
import { errorHandler } from './error-handler.ts';
import { healthRoutes, type ReadinessCheck } from './health.routes.ts';
import { type InteractionDeps, interactionRoutes } from './interaction.routes.ts';
import { pinHostToIssuer, pinProtocolToIssuer } from './pin-host.ts';
import type { RenderPage } from './render.ts';
import { type RequestObserver, requestLog } from './request-log.ts';
import { securityHeaders } from './security-headers.ts';
import { createStaticDocuments } from './static-documents.ts';

export interface HttpDeps {
  issuer: string;
  trustProxy: boolean;
  /**
   * Signs cookies. oidc-provider runs on this app's request context, so it uses these too; the
   * ring follows cookie key rotation by itself.
   */
  cookieKeys: CookieKeyRing;
  jwks: {
    /** The published keys in force on this instance (next, current, retired). */
    keys: () => readonly PublicSigningJwk[];
    /** Shorter than the time a key is published before it signs (see key-timing.ts). */
    maxAgeSeconds: number;
  };
  logger: Logger;
  render: RenderPage;
  providerHost: ProviderHost;
  /** Storage's scope for one protocol request, kept by its context (storage/request-scope.ts). */
  requestScope: <T>(request: object, fn: () => Promise<T>) => Promise<T>;
  interactions: Omit<InteractionDeps, 'provider' | 'render'>;
  readiness: Record<string, ReadinessCheck>;
  /** Measures every request (the request-duration metric); none when metrics are off. */
  observeRequest?: RequestObserver | undefined;
}

/**
 * The server's request listener: JWKS and discovery answered from memory before Koa (see
 * static-documents.ts), everything else by the Koa app: our routes first (health, assets,
 * interaction pages), then oidc-provider for every protocol endpoint, as oidc-provider's own
 * example composes it.
 */
export function createHttpApp(deps: HttpDeps): { app: Koa; listener: RequestListener } {
  const app = new Koa({ proxy: deps.trustProxy });
  app.keys = deps.cookieKeys;
  pinProtocolToIssuer(app, deps.issuer);
  app.silent = true;
  app.on('error', (err) => deps.logger.error({ err }, 'unhandled error'));
  const interactions = interactionRoutes({
    ...deps.interactions,
    render: deps.render,
    provider: () => deps.providerHost.current,
  });
  const health = healthRoutes(deps.readiness);
  const documents = createStaticDocuments({
    issuer: deps.issuer,
    provider: () => deps.providerHost.current,
    jwks: deps.jwks.keys,
    jwksMaxAgeSeconds: deps.jwks.maxAgeSeconds,
    logger: deps.logger,
    observe: deps.observeRequest,
  });
  app.use(requestLog(deps.logger, deps.observeRequest));
  app.use(errorHandler(deps.render, deps.logger));
  app.use(securityHeaders());
  app.use(documents.capture);
  app.use(health.routes());
  app.use(assets());
  app.use(interactions.routes());
  app.use(interactions.allowedMethods());
  app.use(pinHostToIssuer(deps.issuer));
  app.use((ctx, next) => deps.requestScope(ctx, () => deps.providerHost.middleware(ctx, next)));
  const koa = app.callback();
  return {
    app,
    listener: (req, res) => {
      let answered = false;
      try {
        answered = documents.answer(req, res);
      } catch (err) {
        // Nothing it does should throw; if it did, Koa answers (its error handler, if need be).
        deps.logger.error({ err }, 'static document failed');
      }
      if (!answered && !res.headersSent) koa(req, res);
    },
  };
}
