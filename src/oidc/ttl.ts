import type {
  Client,
  Configuration,
  KoaContextWithOIDC,
  RefreshToken,
  Session,
} from 'oidc-provider';
import type { Config } from '../config/schema.ts';

/** Token and artifact lifetimes, from the `ttl` section of the configuration. */
export function ttlConfiguration(ttl: Config['ttl']): Configuration['ttl'] {
  return {
    AccessToken: ttl.accessToken,
    ClientCredentials: ttl.clientCredentials,
    IdToken: ttl.idToken,
    AuthorizationCode: ttl.authorizationCode,
    RefreshToken: refreshTokenTtl(ttl),
    Session: sessionTtl(ttl),
    Interaction: ttl.interaction,
    Grant: grantTtl(ttl),
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

/**
 * The lifetimes of a client's refresh tokens: its own (`clients create --refresh-token-ttl`,
 * `--refresh-token-absolute-ttl`), else the defaults for public or confidential clients. Public
 * clients (SPAs, native apps) hold their tokens where they are easier to steal, so their defaults
 * are shorter.
 */
function refreshLifetimes(ttl: RefreshTtl, client: Client): { idle: number; absolute: number } {
  const metadata = client.metadata();
  const isPublic = metadata.token_endpoint_auth_method === 'none';
  const own = (value: unknown) => (typeof value === 'number' && value > 0 ? value : undefined);
  return {
    idle: own(metadata.refresh_token_ttl) ?? (isPublic ? ttl.publicRefreshToken : ttl.refreshToken),
    absolute:
      own(metadata.refresh_token_absolute_ttl) ??
      (isPublic ? ttl.publicRefreshTokenAbsolute : ttl.refreshTokenAbsolute),
  };
}

type RefreshTtl = Pick<
  Config['ttl'],
  'refreshToken' | 'refreshTokenAbsolute' | 'publicRefreshToken' | 'publicRefreshTokenAbsolute'
>;

/**
 * A refresh token unused for the client's idle lifetime expires; each rotation issues one with a
 * fresh idle lifetime, but never past the absolute lifetime, counted from the sign-in that began
 * the chain (`iiat`, which oidc-provider carries through every rotation). A chain past it ends: the
 * token issued then lives a second, the least oidc-provider takes.
 */
function refreshTokenTtl(ttl: RefreshTtl) {
  return (_ctx: KoaContextWithOIDC, token: RefreshToken, client: Client): number => {
    const { idle, absolute } = refreshLifetimes(ttl, client);
    const began = token.iiat ?? epochSeconds();
    return Math.max(1, Math.min(idle, began + absolute - epochSeconds()));
  };
}

/**
 * The grant (the consent record) lasts `ttl.grant`, and at least as long as the client's refresh
 * tokens may: refreshing needs it, so a shorter grant would cut their absolute lifetime short.
 */
function grantTtl(ttl: RefreshTtl & Pick<Config['ttl'], 'grant'>) {
  return (ctx: KoaContextWithOIDC): number => {
    const client = ctx?.oidc?.client;
    return client ? Math.max(ttl.grant, refreshLifetimes(ttl, client).absolute) : ttl.grant;
  };
}

/** Whether the session's sign-in is `lifetimeSeconds` old or older: its lifetime is over. */
export function signedInTooLongAgo(session: Session | undefined, lifetimeSeconds: number): boolean {
  const signedIn = session?.loginTs;
  return signedIn !== undefined && epochSeconds() - signedIn >= lifetimeSeconds;
}

/** oidc-provider's clock: whole seconds since the epoch. */
const epochSeconds = () => Math.floor(Date.now() / 1000);
