import { type Row, rowOf } from '../report/row.ts';
import { ROWS } from '../targets.ts';
import type { BenchContext } from './context.ts';

/**
 * Discovery and JWKS: the documents every client and resource server fetches, answered from
 * memory before Koa. /healthz, the smallest answer that still passes every Koa middleware (access
 * log, error handler, security headers, routing), shows the floor that every other response
 * stands on.
 */
export async function measureStaticDocuments(ctx: BenchContext): Promise<Row[]> {
  const discovery = await ctx.measure({ url: ctx.endpoints.discovery });
  const jwks = await ctx.measure({ url: ctx.endpoints.jwks });
  const floor = await ctx.measure({ url: `${ctx.endpoints.issuer}/healthz` });
  return [
    rowOf(ROWS.jwks, jwks, ctx.baselineRps),
    rowOf(ROWS.discovery, discovery, ctx.baselineRps),
    rowOf(ROWS.floor, floor, ctx.baselineRps),
  ];
}
