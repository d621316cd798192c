import { basicAuth, FORM } from '../http/client-auth.ts';
import type { BenchClient } from '../http/sign-in.ts';
import type { LoadTarget } from '../load/autocannon-run.ts';
import { type Row, rowOf } from '../report/row.ts';
import { ROWS } from '../targets.ts';
import type { BenchContext } from './context.ts';
import { mintUserTokens } from './user-tokens.ts';

/**
 * Refresh with rotation: every request spends a refresh token and gets the next one, as a real
 * client does, so the tokens are chained. Each connection takes a token from a shared pool and
 * puts the rotated one back when the answer comes. Tokens in flight when a run stops are lost;
 * the pool is topped up with fresh sign-ins before each run, so no token is ever sent twice.
 */
export async function measureRefresh(ctx: BenchContext): Promise<Row> {
  const pool = refreshTokenPool(
    ctx,
    ctx.userTokens.map((set) => set.refresh_token),
  );
  const load = refreshLoad(ctx.endpoints.token, ctx.seed.webApp, pool.tokens);
  return rowOf(ROWS.refresh, await ctx.measure(load, pool.topUp), ctx.baselineRps);
}

/** Refresh tokens for the load, and a top-up that signs users in until there is one per connection. */
export function refreshTokenPool(ctx: BenchContext, initial: Array<string | undefined>) {
  const tokens = initial.filter((token): token is string => token !== undefined);
  const needed = ctx.plan.connections + 4;
  return {
    tokens,
    async topUp(): Promise<void> {
      if (tokens.length >= needed) return;
      const minted = await mintUserTokens(ctx.endpoints, ctx.seed, needed - tokens.length);
      for (const set of minted) if (set.refresh_token) tokens.push(set.refresh_token);
    },
  };
}

export function refreshLoad(
  tokenEndpoint: string,
  client: BenchClient,
  pool: string[],
): LoadTarget {
  return {
    url: tokenEndpoint,
    method: 'POST',
    headers: {
      'content-type': FORM,
      authorization: basicAuth(client.clientId, client.clientSecret),
    },
    requests: [
      {
        setupRequest(request) {
          // An empty pool cannot happen while it holds a token per connection; were it to,
          // the request fails visibly instead of reusing a token.
          const token = pool.shift() ?? 'pool-exhausted';
          return { ...request, body: `grant_type=refresh_token&refresh_token=${token}` };
        },
        onResponse(status, body) {
          if (status !== 200) return;
          const rotated = (JSON.parse(body) as { refresh_token?: string }).refresh_token;
          if (rotated) pool.push(rotated);
        },
      },
    ],
  };
}
