import { basicAuth, FORM } from '../http/client-auth.ts';
import { onInstance } from '../http/endpoints.ts';
import type { LoadTarget } from '../load/autocannon-run.ts';
import { measure } from '../load/measure.ts';
import { type Row, rowOf, unavailableRow } from '../report/row.ts';
import type { ServiceClient } from '../seed.ts';
import { startBenchServer } from '../server-process.ts';
import { ROWS } from '../targets.ts';
import { JWT_API, registerJwtApi } from './api-resource.ts';
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
 * registers one with the command DESIGN.md specifies (`portcullis resources create`); while that
 * command does not exist, through startPortcullis's `resourceServers` option, on an instance of
 * its own so that every other row runs the server exactly as configured. The row says which.
 */
export async function measureJwtClientCredentials(ctx: BenchContext, earlier: Row[]): Promise<Row> {
  const registered = registerJwtApi(ctx.server.env);
  if (ctx.backend.kind !== 'postgres' && 'unavailable' in registered) {
    // A second instance cannot open an embedded data directory the first one holds.
    const why = 'needs a second instance until `portcullis resources` exists: run on Postgres';
    return unavailableRow(ROWS.clientCredentialsJwt, why);
  }
  const issuer = await jwtIssuer(ctx, registered);
  const service = ctx.seed.services[0] as ServiceClient;
  const parameters = { resource: JWT_API };
  const token = await clientCredentialsToken(issuer.tokenEndpoint, service, parameters).catch(
    (error: unknown) => String(error),
  );
  if (token.split('.').length !== 3) {
    return unavailableRow(ROWS.clientCredentialsJwt, `no JWT for ${JWT_API}: ${token}`);
  }
  const load = clientCredentialsLoad(issuer.tokenEndpoint, ctx.seed.services, parameters);
  const measurement = await measure(load, ctx.plan, { countQueries: issuer.countQueries });
  const engine = earlier.find((row) => row.id === ROWS.engineCeiling.id)?.rate;
  const reference = engine ? { label: 'of oidc-provider alone', rate: engine } : undefined;
  const row = rowOf(ROWS.clientCredentialsJwt, measurement, ctx.baselineRps, reference);
  return { ...row, note: issuer.note };
}

async function jwtIssuer(ctx: BenchContext, registered: ReturnType<typeof registerJwtApi>) {
  if (!('unavailable' in registered)) {
    const note = 'API registered with `portcullis resources create`';
    return { tokenEndpoint: ctx.endpoints.token, countQueries: ctx.countQueries, note };
  }
  const instance = await startBenchServer(ctx.backend, ctx.server, { BENCH_JWT_API: JWT_API });
  ctx.extraServers.push(instance.child);
  return {
    tokenEndpoint: onInstance(ctx.endpoints.token, instance.origin),
    countQueries: ctx.countQueries && (() => instance.child.call('queries', undefined)),
    note: 'API registered through startPortcullis({ resourceServers }): no `portcullis resources` command yet',
  };
}
