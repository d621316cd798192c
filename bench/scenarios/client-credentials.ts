import { basicAuth, FORM } from '../http/client-auth.ts';
import type { LoadTarget } from '../load/autocannon-run.ts';
import { type Row, rowOf, unavailableRow } from '../report/row.ts';
import type { ServiceClient } from '../seed.ts';
import { ROWS } from '../targets.ts';
import { registerJwtApi } from './api-resource.ts';
import type { BenchContext } from './context.ts';

/** Client-credentials requests, each connection authenticating as one of `clients` in turn. */
export function clientCredentialsLoad(
  tokenEndpoint: string,
  clients: readonly ServiceClient[],
  parameters: Record<string, string> = {},
): LoadTarget {
  let next = 0;
  return {
    url: tokenEndpoint,
    method: 'POST',
    headers: { 'content-type': FORM },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...parameters }).toString(),
    setupClient(client) {
      const service = clients[next % clients.length] as ServiceClient;
      next += 1;
      client.setHeaders({
        'content-type': FORM,
        authorization: basicAuth(service.clientId, service.clientSecret),
      });
    },
  };
}

/** One client-credentials token, to check a path works before loading it. */
export async function clientCredentialsToken(
  tokenEndpoint: string,
  client: ServiceClient,
  parameters: Record<string, string> = {},
): Promise<string> {
  const response = await fetch(tokenEndpoint, {
    method: 'POST',
    headers: {
      'content-type': FORM,
      authorization: basicAuth(client.clientId, client.clientSecret),
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...parameters }).toString(),
  });
  const body = (await response.json()) as { access_token?: string; error?: string };
  if (!response.ok || !body.access_token) {
    throw new Error(`client credentials answered ${response.status} ${body.error ?? ''}`);
  }
  return body.access_token;
}

export async function measureOpaqueClientCredentials(ctx: BenchContext): Promise<Row> {
  await clientCredentialsToken(ctx.endpoints.token, ctx.seed.services[0] as ServiceClient);
  const load = clientCredentialsLoad(ctx.endpoints.token, ctx.seed.services);
  return rowOf(ROWS.clientCredentialsOpaque, await ctx.measure(load), ctx.baselineRps);
}

/**
 * JWT access tokens need an API (resource server) registered with format jwt. The benchmark
 * registers one through the CLI contract of DESIGN.md; until that command exists, or while the
 * token it yields is not a JWT, the row says why instead of showing a number.
 */
export async function measureJwtClientCredentials(ctx: BenchContext): Promise<Row> {
  const api = registerJwtApi(ctx.server.env);
  if ('unavailable' in api) return unavailableRow(ROWS.clientCredentialsJwt, api.unavailable);
  const service = ctx.seed.services[0] as ServiceClient;
  const parameters = { resource: api.identifier };
  const token = await clientCredentialsToken(ctx.endpoints.token, service, parameters).catch(
    (error: unknown) => String(error),
  );
  if (token.split('.').length !== 3) {
    return unavailableRow(ROWS.clientCredentialsJwt, `no JWT for resource ${api.identifier}`);
  }
  const load = clientCredentialsLoad(ctx.endpoints.token, ctx.seed.services, parameters);
  return rowOf(ROWS.clientCredentialsJwt, await ctx.measure(load), ctx.baselineRps);
}
