import { interactionPolicy } from 'oidc-provider';

const { Check, base } = interactionPolicy;

/**
 * oidc-provider's prompts (login, then consent), plus one login check: a browser session whose
 * account is no longer found (disabled or deleted) must sign in again. Without it the session
 * still counts as signed in, no grant can load for the missing account, and the consent checks
 * fail with a server error on every authorization request from that browser.
 */
export function interactionPolicyConfiguration(): interactionPolicy.Prompt[] {
  const policy = base();
  policy
    .get('login')
    ?.checks.add(
      new Check(
        'account_unavailable',
        'End-User account is no longer available',
        'login_required',
        (ctx) => ctx.oidc.session?.accountId !== undefined && ctx.oidc.account === undefined,
      ),
    );
  return policy;
}
