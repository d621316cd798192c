import type Provider from 'oidc-provider';
import type { RefreshSuccessors } from '../storage/refresh-successors.ts';

/**
 * Answers every rotation of one refresh token with one successor (see refresh-successors.ts for
 * why): after oidc-provider's refresh grant has answered, the refresh token in its response is
 * replaced by the one the first rotation got, when this request was a replay within the grace
 * window. A replay whose first rotation cannot be found is refused as the grant would refuse any
 * used token, without revoking the grant (its rightful holder may be mid-refresh).
 */
export function useOneSuccessorPerRefreshToken(
  provider: Provider,
  successors: RefreshSuccessors,
): void {
  provider.use(async (ctx, next) => {
    await next();
    const rotated = ctx.oidc?.entities.RotatedRefreshToken;
    if (ctx.oidc?.route !== 'token' || !rotated?.jti || ctx.status !== 200) return;
    const body = ctx.body as { refresh_token?: string };
    if (typeof body.refresh_token !== 'string') return;
    const answer = await successors.answer({
      rotated: rotated.jti,
      issued: body.refresh_token,
      grantId: rotated.grantId,
    });
    if (answer) {
      body.refresh_token = answer;
      return;
    }
    ctx.status = 400;
    ctx.body = { error: 'invalid_grant', error_description: 'refresh token already used' };
  });
}
