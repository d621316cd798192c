import { type Row, rowOf } from '../report/row.ts';
import { ROWS } from '../targets.ts';
import type { BenchContext } from './context.ts';

/** Discovery and JWKS: the documents every client and resource server fetches. */
export async function measureStaticDocuments(ctx: BenchContext): Promise<Row[]> {
  const discovery = await ctx.measure({ url: ctx.endpoints.discovery });
  const jwks = await ctx.measure({ url: ctx.endpoints.jwks });
  return [
    rowOf(ROWS.jwks, jwks, ctx.baselineRps),
    rowOf(ROWS.discovery, discovery, ctx.baselineRps),
  ];
}
