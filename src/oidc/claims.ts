import type { Configuration, FindAccount } from 'oidc-provider';
import type { AccountsService } from '../domain/accounts.service.ts';
import { accountsReadAhead } from '../storage/request-scope.ts';
import { translated } from './unavailable-storage.ts';

/** Which claims each scope releases (OpenID Connect Core §5.4, the subset we hold). */
export const claimsByScope: Configuration['claims'] = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: ['name', 'updated_at'],
};

export const SCOPES = ['openid', 'offline_access', 'profile', 'email'];

/**
 * A disabled or deleted account is not found: its sessions stop resolving, userinfo fails and
 * its refresh tokens are refused (oidc-provider looks the account up on every refresh). The
 * request's token lookup has usually read the account already: it is taken from there.
 */
export function accountFinder(accounts: AccountsService): FindAccount {
  const findActive = translated(accounts.findActive);
  return async (ctx, sub) => {
    const account = await findActive(sub, accountsReadAhead(ctx));
    if (!account) return undefined;
    const claims = accounts.claimsOf(account);
    return { accountId: account.id, claims: () => claims };
  };
}
