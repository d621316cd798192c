import { basicAuth, FORM } from '../http/client-auth.ts';
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
  const tokens: string[] = [];
  for (let index = 0; index < TOKENS; index += 1) {
    tokens.push(await clientCredentialsToken(ctx.endpoints.token, service));
  }
  await expectActive(ctx.endpoints.introspection, service, tokens[0] as string);
  let next = 0;
  const measurement = await ctx.measure({
    url: ctx.endpoints.introspection,
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
  });
  return rowOf(ROWS.introspection, measurement, ctx.baselineRps);
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
