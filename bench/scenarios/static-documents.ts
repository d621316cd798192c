import { measure } from '../load/measure.ts';
import { type Row, rowOf } from '../report/row.ts';
import { ROWS } from '../targets.ts';
import type { BenchContext } from './context.ts';

/** Discovery and JWKS: the documents every client and resource server fetches. */
export async function measureStaticDocuments(ctx: BenchContext): Promise<Row[]> {
  const discovery = await measure({ url: ctx.endpoints.discovery }, ctx.plan);
  const jwks = await measure({ url: ctx.endpoints.jwks }, ctx.plan);
  return [
    rowOf(ROWS.jwks, jwks, ctx.baselineRps),
    rowOf(ROWS.discovery, discovery, ctx.baselineRps),
  ];
}
