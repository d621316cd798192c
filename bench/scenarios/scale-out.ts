import { onInstance } from '../http/endpoints.ts';
import type { LoadTarget } from '../load/autocannon-run.ts';
import { measureAcross } from '../load/measure.ts';
import { type Row, type RowSpec, rowOf } from '../report/row.ts';
import type { ServiceClient } from '../seed.ts';
import { startBenchServer } from '../server-process.ts';
import { ROWS } from '../targets.ts';
import { clientCredentialsLoad } from './client-credentials.ts';
import type { BenchContext } from './context.ts';
import { introspectionLoad, serviceTokens } from './introspection.ts';
import { refreshLoad, refreshTokenPool } from './refresh.ts';
import { mintUserTokens } from './user-tokens.ts';
import { userinfoLoad } from './userinfo.ts';

/**
 * The database-backed paths again with a second Portcullis process beside the first, as one
 * would deploy on a multi-core machine: Node.js runs a process's JavaScript on one core, and the
 * first process alone saturates its core before the machine is busy. Both instances share
 * issuer, secrets and storage (Postgres only); the load is shared between them.
 */
export async function measureScaleOut(ctx: BenchContext): Promise<Row[]> {
  if (ctx.backend.kind !== 'postgres') {
    ctx.progress('skipped: embedded storage belongs to one process (set BENCH_DATABASE_URL)');
    return [];
  }
  const second = await startBenchServer(ctx.backend, ctx.server);
  ctx.extraServers.push(second.child);
  const origins = [ctx.server.origin, second.origin];
  const rows: Row[] = [];
  for (const { spec, build, beforeRun } of await loads(ctx)) {
    const targets = origins.map((origin) => at(origin, build()));
    const measurement = await measureAcross(targets, ctx.plan, beforeRun);
    rows.push(rowOf(twoProcesses(spec), measurement, ctx.baselineRps));
  }
  return rows;
}

interface Load {
  spec: RowSpec;
  build: () => LoadTarget;
  beforeRun?: () => Promise<void>;
}

/** The loads of the single-process rows, with tokens of their own. */
async function loads(ctx: BenchContext): Promise<Load[]> {
  const { endpoints, seed } = ctx;
  const service = seed.services[0] as ServiceClient;
  const tokens = await serviceTokens(endpoints.token, service);
  const signedIn = await mintUserTokens(endpoints, seed, ctx.plan.connections * 2 + 8);
  const pool = refreshTokenPool(
    ctx,
    signedIn.map((set) => set.refresh_token),
  );
  const accessTokens = signedIn.map((set) => set.access_token);
  return [
    {
      spec: ROWS.clientCredentialsOpaque,
      build: () => clientCredentialsLoad(endpoints.token, seed.services),
    },
    {
      spec: ROWS.introspection,
      build: () => introspectionLoad(endpoints.introspection, service, tokens),
    },
    { spec: ROWS.userinfo, build: () => userinfoLoad(endpoints.userinfo, accessTokens) },
    {
      spec: ROWS.refresh,
      build: () => refreshLoad(endpoints.token, seed.webApp, pool.tokens),
      beforeRun: pool.topUp,
    },
  ];
}

function twoProcesses(spec: RowSpec): RowSpec {
  return { ...spec, id: `${spec.id}-2-processes`, path: `${spec.path}, 2 processes` };
}

/** The same load sent to another instance. */
function at(origin: string, target: LoadTarget): LoadTarget {
  return { ...target, url: onInstance(target.url, origin) };
}
