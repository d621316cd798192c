import { basicAuth, FORM } from '../http/client-auth.ts';
import type { LoadTarget } from '../load/autocannon-run.ts';
import { type Row, rowOf } from '../report/row.ts';
import type { ServiceClient } from '../seed.ts';
import { ROWS } from '../targets.ts';
import { clientCredentialsToken } from './client-credentials.ts';
import type { BenchContext } from './context.ts';

const TOKENS = 100;

/**
 * A resource server introspecting the opaque tokens it is shown: one service client, requests
 * cycling through 100 live client-credentials tokens.
 */
export async function measureIntrospection(ctx: BenchContext): Promise<Row> {
  const service = ctx.seed.services[0] as ServiceClient;
  const tokens = await serviceTokens(ctx.endpoints.token, service, TOKENS);
  await expectActive(ctx.endpoints.introspection, service, tokens[0] as string);
  const load = introspectionLoad(ctx.endpoints.introspection, service, tokens);
  return rowOf(ROWS.introspection, await ctx.measure(load), ctx.baselineRps);
}

export async function serviceTokens(
  tokenEndpoint: string,
  service: ServiceClient,
  count = TOKENS,
): Promise<string[]> {
  const tokens: string[] = [];
  for (let index = 0; index < count; index += 1) {
    tokens.push(await clientCredentialsToken(tokenEndpoint, service));
  }
  return tokens;
}

export function introspectionLoad(
  endpoint: string,
  service: ServiceClient,
  tokens: string[],
): LoadTarget {
  let next = 0;
  return {
    url: endpoint,
    method: 'POST',
    headers: {
      'content-type': FORM,
      authorization: basicAuth(service.clientId, service.clientSecret),
    },
    requests: [
      {
        setupRequest(request) {
          next += 1;
          return { ...request, body: `token=${tokens[next % tokens.length]}` };
        },
      },
    ],
    // Every token is live: an inactive answer is a wrong one, however fast.
    expect: (body) => body.startsWith('{"active":true'),
  };
}

async function expectActive(endpoint: string, service: ServiceClient, token: string) {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': FORM,
      authorization: basicAuth(service.clientId, service.clientSecret),
    },
    body: new URLSearchParams({ token }).toString(),
  });
  const body = (await response.json()) as { active?: boolean };
  if (!body.active)
    throw new Error(`introspection says the token is not active (${response.status})`);
}
