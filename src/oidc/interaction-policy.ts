import { interactionPolicy } from 'oidc-provider';
import { signedInTooLongAgo } from './ttl.ts';

const { Check, base } = interactionPolicy;

/**
 * oidc-provider's prompts (login, then consent), plus two login checks:
 *
 * - a browser session whose account is no longer found (disabled or deleted) must sign in again.
 *   Without it the session still counts as signed in, no grant can load for the missing account,
 *   and the consent checks fail with a server error on every authorization request from that
 *   browser;
 * - a session signed in `sessionLifetimeSeconds` ago or more must sign in again. Its stored
 *   entry expires by then anyway (ttl.ts), unless the setting was shortened after it was saved.
 */
export function interactionPolicyConfiguration(
  sessionLifetimeSeconds: number,
): interactionPolicy.Prompt[] {
  const policy = base();
  const login = policy.get('login');
  login?.checks.add(
    new Check(
      'account_unavailable',
      'End-User account is no longer available',
      'login_required',
      (ctx) => ctx.oidc.session?.accountId !== undefined && ctx.oidc.account === undefined,
    ),
  );
  login?.checks.add(
    new Check(
      'session_lifetime_over',
      'End-User session has reached its maximum lifetime',
      'login_required',
      (ctx) => signedInTooLongAgo(ctx.oidc.session, sessionLifetimeSeconds),
    ),
  );
  return policy;
}
