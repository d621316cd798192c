import type { Context } from 'koa';
import type { Provider } from 'oidc-provider';

type Client = NonNullable<Awaited<ReturnType<Provider['Client']['find']>>>;

/** A link from an error page back to the application the person came from. */
export interface WayBack {
  url: string;
  name: string;
}

/**
 * Where an error page may send a person back to: the client's registered home page
 * (client_uri), or else the origin of the redirect_uri it asked for, but only once the client
 * has that redirect_uri registered. An unvalidated redirect_uri is whatever a link's author
 * wrote: offering it would make our error page a phishing springboard.
 */
export function clientWayBack(
  client: Client | undefined,
  redirectUri: unknown,
): WayBack | undefined {
  if (!client) return undefined;
  const name = client.clientName ?? 'the application';
  const home = webUrl(client.clientUri);
  if (home) return { url: home.href, name };
  if (typeof redirectUri !== 'string' || !client.redirectUriAllowed(redirectUri)) return undefined;
  const registered = webUrl(redirectUri);
  return registered ? { url: `${registered.origin}/`, name } : undefined;
}

/** Only http(s): a native app's redirect URI (com.example.app:/cb) is no page to link to. */
function webUrl(value: string | undefined): URL | undefined {
  if (!value || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
}

type WayBackLookup = () => Promise<WayBack | undefined>;

/**
 * A route that knows which application a person came from (an interaction page) leaves a lookup
 * on the request; the error handler calls it only when it renders an error page.
 */
export function offerWayBack(ctx: Context, lookup: WayBackLookup): void {
  ctx.state.wayBack = lookup;
}

export async function wayBackOf(ctx: Context): Promise<WayBack | undefined> {
  const lookup = ctx.state.wayBack as WayBackLookup | undefined;
  // The page explains an error already; a lookup that fails too (storage down) only costs the link.
  return lookup ? lookup().catch(() => undefined) : undefined;
}
