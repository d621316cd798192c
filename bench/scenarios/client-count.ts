import { sql } from 'kysely';
import { registerManyClients } from '../bulk-clients.ts';
import { basicAuth, FORM } from '../http/client-auth.ts';
import type { LoadTarget } from '../load/autocannon-run.ts';
import { type Row, rowOf } from '../report/row.ts';
import type { ServiceClient } from '../seed.ts';
import { ROWS } from '../targets.ts';
import { clientCredentialsLoad } from './client-credentials.ts';
import type { BenchContext } from './context.ts';

/**
 * The token endpoint (client credentials, opaque) with the seeded clients only, then again once
 * `sizes.clients` more are registered: the same 10 clients calling (the lookup must not slow
 * down with the table), and every request from another client (nothing cached helps).
 */
export async function measureClientCount(ctx: BenchContext): Promise<Row[]> {
  const few = ctx.seed.services;
  const before = await registeredClients(ctx);
  const fewRegistered = await ctx.measure(clientCredentialsLoad(ctx.endpoints.token, few));
  ctx.progress(`registering ${ctx.sizes.clients.toLocaleString('en')} more clients`);
  const many = await registerManyClients(ctx.db, few[0] as ServiceClient, ctx.sizes.clients);
  const after = await registeredClients(ctx);
  const manyRegistered = await ctx.measure(clientCredentialsLoad(ctx.endpoints.token, few));
  const spread = await ctx.measure(spreadLoad(ctx.endpoints.token, many));
  const reference = { label: `of the ${before}-client rate`, rate: fewRegistered.rps };
  const label = (count: number) => count.toLocaleString('en');
  return [
    rowOf(
      { ...ROWS.tenClients, path: `token endpoint, ${label(before)} clients registered` },
      fewRegistered,
      ctx.baselineRps,
    ),
    rowOf(
      { ...ROWS.manyClients, path: `token endpoint, ${label(after)} clients registered` },
      manyRegistered,
      ctx.baselineRps,
      reference,
    ),
    rowOf(
      {
        ...ROWS.manyClientsSpread,
        path: `token endpoint, each request another of ${label(many.count)}`,
      },
      spread,
      ctx.baselineRps,
      reference,
    ),
  ];
}

function spreadLoad(
  tokenEndpoint: string,
  many: { count: number; client(index: number): ServiceClient },
): LoadTarget {
  let next = 0;
  return {
    url: tokenEndpoint,
    method: 'POST',
    body: 'grant_type=client_credentials',
    requests: [
      {
        setupRequest(request) {
          const { clientId, clientSecret } = many.client(next % many.count);
          next += 1;
          const authorization = basicAuth(clientId, clientSecret);
          return { ...request, headers: { 'content-type': FORM, authorization } };
        },
      },
    ],
  };
}

async function registeredClients(ctx: BenchContext): Promise<number> {
  const { rows } = await sql<{ count: string }>`select count(*) as count from clients`.execute(
    ctx.db,
  );
  return Number(rows[0]?.count ?? 0);
}
