import type { Configuration, KoaContextWithOIDC, Session } from 'oidc-provider';
import type { Config } from '../config/schema.ts';

/** Token and artifact lifetimes, from the `ttl` section of the configuration. */
export function ttlConfiguration(ttl: Config['ttl']): Configuration['ttl'] {
  return {
    AccessToken: ttl.accessToken,
    ClientCredentials: ttl.clientCredentials,
    IdToken: ttl.idToken,
    AuthorizationCode: ttl.authorizationCode,
    RefreshToken: ttl.refreshToken,
    Session: sessionTtl(ttl),
    Interaction: ttl.interaction,
    Grant: ttl.grant,
  };
}

/**
 * A browser session ends once it has gone unused for `ttl.sessionIdle`, and at the latest
 * `ttl.session` after its sign-in, however much it is used. oidc-provider asks for a session's
 * lifetime each time it saves it, and it saves an existing session on every request that carries
 * its cookie to the authorization and logout endpoints (and at sign-in): each use moves the idle
 * deadline on, never past the absolute one, which counts from the sign-in (`loginTs`, set anew
 * by every sign-in). The lifetime becomes the stored entry's expiry and, for a remembered
 * session, the cookie's. A session past its absolute lifetime that is still stored (the setting
 * was shortened since) is refused by the login prompt (interaction-policy.ts); it is saved here
 * for the second it takes to sign in again, oidc-provider taking no lifetime below one.
 */
export function sessionTtl(ttl: Pick<Config['ttl'], 'session' | 'sessionIdle'>) {
  return (_ctx: KoaContextWithOIDC, session: Session): number => {
    const now = epochSeconds();
    const signedIn = session.loginTs ?? now;
    const left = signedIn + ttl.session - now;
    return Math.max(1, Math.min(ttl.sessionIdle, left));
  };
}

/** Whether the session's sign-in is `lifetimeSeconds` old or older: its lifetime is over. */
export function signedInTooLongAgo(session: Session | undefined, lifetimeSeconds: number): boolean {
  const signedIn = session?.loginTs;
  return signedIn !== undefined && epochSeconds() - signedIn >= lifetimeSeconds;
}

/** oidc-provider's clock: whole seconds since the epoch. */
const epochSeconds = () => Math.floor(Date.now() / 1000);
