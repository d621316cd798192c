import type { EngineInfo } from '../engine-server.ts';
import { measure } from '../load/measure.ts';
import { type Row, rowOf } from '../report/row.ts';
import type { ServiceClient } from '../seed.ts';
import { startChild } from '../support/child-process.ts';
import { ROWS } from '../targets.ts';
import { clientCredentialsLoad, clientCredentialsToken } from './client-credentials.ts';
import type { BenchContext } from './context.ts';

/**
 * What oidc-provider itself answers for client credentials → JWT on this machine, with nothing
 * of Portcullis around it (bench/engine-server.ts): the most the JWT row can reach while the
 * protocol engine answers the grant.
 */
export async function measureEngineCeiling(ctx: BenchContext): Promise<Row> {
  const engine = await startChild<Record<never, never>, EngineInfo>(
    new URL('../engine-server.ts', import.meta.url),
    { env: { ...process.env, NODE_ENV: 'production' } },
  );
  // Counted as server in the CPU figures, and stopped once the step is over.
  ctx.extraServers.push(engine);
  const { tokenEndpoint, resource, clients } = engine.info;
  const parameters = { resource };
  const token = await clientCredentialsToken(
    tokenEndpoint,
    clients[0] as ServiceClient,
    parameters,
  );
  if (token.split('.').length !== 3) throw new Error('oidc-provider alone issued no JWT');
  const load = clientCredentialsLoad(tokenEndpoint, clients, parameters);
  const row = rowOf(ROWS.engineCeiling, await measure(load, ctx.plan), ctx.baselineRps);
  return { ...row, note: 'bench/engine-server.ts: ES256 JWTs, static clients, a Map as storage' };
}
