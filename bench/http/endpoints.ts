/** The endpoints the benchmark calls, read from the server's discovery document. */
export interface Endpoints {
  issuer: string;
  discovery: string;
  authorization: string;
  token: string;
  userinfo: string;
  introspection: string;
  jwks: string;
}

export async function discover(issuer: string): Promise<Endpoints> {
  const discovery = `${issuer}/.well-known/openid-configuration`;
  const response = await fetch(discovery);
  if (!response.ok) throw new Error(`discovery answered ${response.status}`);
  const document = (await response.json()) as Record<string, unknown>;
  const url = (key: string) => {
    const value = document[key];
    if (typeof value !== 'string') throw new Error(`discovery has no ${key}`);
    return value;
  };
  return {
    issuer,
    discovery,
    authorization: url('authorization_endpoint'),
    token: url('token_endpoint'),
    userinfo: url('userinfo_endpoint'),
    introspection: url('introspection_endpoint'),
    jwks: url('jwks_uri'),
  };
}

/** The same URL on another instance (its host and port): instances share one issuer. */
export function onInstance(url: string, origin: string): string {
  const moved = new URL(url);
  moved.host = new URL(origin).host;
  return moved.href;
}
