import type Provider from 'oidc-provider';
import type { Logger } from '../shared/logger.ts';

/**
 * Server-side failures inside oidc-provider are logged with the error; the client only ever sees
 * `server_error`. Only the route is logged alongside, never parameters (they carry codes/tokens).
 */
export function observeProvider(provider: Provider, logger: Logger): void {
  provider.on('server_error', (ctx, err) => {
    logger.error({ err, route: ctx.oidc?.route, path: ctx.path }, 'oidc-provider server error');
  });
}
