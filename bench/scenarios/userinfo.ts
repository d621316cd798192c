import type { LoadTarget } from '../load/autocannon-run.ts';
import { type Row, rowOf } from '../report/row.ts';
import { ROWS } from '../targets.ts';
import type { BenchContext } from './context.ts';

/** Userinfo with the access tokens of signed-in users, each connection holding one. */
export async function measureUserinfo(ctx: BenchContext): Promise<Row> {
  const tokens = ctx.userTokens.map((set) => set.access_token);
  const response = await fetch(ctx.endpoints.userinfo, {
    headers: { authorization: `Bearer ${tokens[0]}` },
  });
  if (!response.ok) throw new Error(`userinfo answered ${response.status}`);
  const measurement = await ctx.measure(userinfoLoad(ctx.endpoints.userinfo, tokens));
  return rowOf(ROWS.userinfo, measurement, ctx.baselineRps);
}

export function userinfoLoad(userinfoEndpoint: string, tokens: string[]): LoadTarget {
  let next = 0;
  return {
    url: userinfoEndpoint,
    setupClient(client) {
      client.setHeaders({ authorization: `Bearer ${tokens[next % tokens.length]}` });
      next += 1;
    },
  };
}
