import { availableParallelism } from 'node:os';
import type { Argon2CeilingApi, CeilingResult } from '../argon2-ceiling.ts';
import type { FlowDriverApi, FlowResult } from '../flow-driver.ts';
import { type RunSample, runAutocannon } from '../load/autocannon-run.ts';
import { summarise } from '../load/measure.ts';
import { judged, type Row, rowOf } from '../report/row.ts';
import { startChild } from '../support/child-process.ts';
import { median } from '../support/stats.ts';
import { ROWS } from '../targets.ts';
import type { BenchContext } from './context.ts';

/** Browsers signing in at once: enough to keep every argon2 thread of the server busy. */
const BROWSERS = 8;
/** The JWKS probe: a resource server's steady trickle, not a load of its own. */
const PROBE = { connections: 2, overallRate: 50 };

/**
 * The argon2 ceiling first (nothing else running), then the full flow with a JWKS probe
 * alongside: logins are bounded by argon2, and hashing must not stall the event loop.
 */
export async function measureLoginFlow(ctx: BenchContext): Promise<Row[]> {
  const ceilings = await measureCeiling(ctx);
  const ceiling = median(ceilings.map((run) => run.perSecond));
  const { flows, probes, queries } = await measureFlows(ctx);
  const flow = flowRow(flows, ceiling, ctx);
  // The JWKS probe sends no SQL: every statement counted belongs to the flows.
  if (ctx.countQueries && flow.total > 0) flow.queriesPerRequest = queries / flow.total;
  return [ceilingRow(ceilings, ctx.baselineRps), flow, probeRow(probes, ctx)];
}

async function measureFlows(ctx: BenchContext) {
  const flows: FlowResult[] = [];
  const probes: RunSample[] = [];
  const driver = await startChild<FlowDriverApi, unknown>(
    new URL('../flow-driver.ts', import.meta.url),
  );
  try {
    const load = {
      endpoints: ctx.endpoints,
      client: ctx.seed.webApp,
      users: ctx.seed.users,
      concurrency: BROWSERS,
    };
    if (ctx.plan.warmupSeconds > 0) {
      await driver.call('run', { ...load, seconds: ctx.plan.warmupSeconds });
    }
    const before = (await ctx.countQueries?.()) ?? 0;
    for (let run = 0; run < ctx.plan.runs; run += 1) {
      const [flow, probe] = await Promise.all([
        driver.call('run', { ...load, seconds: ctx.plan.seconds }),
        runAutocannon({ url: ctx.endpoints.jwks, ...PROBE }, { seconds: ctx.plan.seconds }),
      ]);
      flows.push(flow);
      probes.push(probe);
    }
    const queries = ((await ctx.countQueries?.()) ?? 0) - before;
    return { flows, probes, queries };
  } finally {
    await driver.stop();
  }
}

async function measureCeiling(ctx: BenchContext): Promise<CeilingResult[]> {
  const worker = await startChild<Argon2CeilingApi, unknown>(
    new URL('../argon2-ceiling.ts', import.meta.url),
  );
  try {
    const results: CeilingResult[] = [];
    const concurrency = availableParallelism();
    for (let run = 0; run < ctx.plan.runs; run += 1) {
      results.push(await worker.call('run', { seconds: ctx.plan.seconds, concurrency }));
    }
    return results;
  } finally {
    await worker.stop();
  }
}

function ceilingRow(results: CeilingResult[], baselineRps: number): Row {
  const rate = median(results.map((run) => run.perSecond));
  return {
    ...ROWS.argon2Ceiling,
    unit: 'verifications/s',
    rate,
    failed: 0,
    total: results.reduce((sum, run) => sum + run.verifications, 0),
    ratioToBaseline: rate / baselineRps,
    verdict: '—',
    note: `${availableParallelism()} verifications in flight (one per core)`,
    detail: { runs: results },
  };
}

function flowRow(flows: FlowResult[], ceiling: number, ctx: BenchContext): Row {
  const rate = median(flows.map((run) => run.perSecond));
  const failed = flows.reduce((sum, run) => sum + run.failures, 0);
  const firstFailure = flows.find((run) => run.firstFailure)?.firstFailure;
  return judged(ROWS.loginFlow, {
    ...ROWS.loginFlow,
    unit: 'flows/s',
    rate,
    p50: median(flows.map((run) => run.p50)),
    p99: median(flows.map((run) => run.p99)),
    failed,
    total: failed + flows.reduce((sum, run) => sum + run.flows, 0),
    ratioToBaseline: rate / ctx.baselineRps,
    compared: { label: 'of argon2 ceiling', ratio: rate / ceiling },
    verdict: '—',
    note: `${BROWSERS} browsers${firstFailure ? `; first failure: ${firstFailure}` : ''}`,
    detail: { runs: flows },
  });
}

function probeRow(probes: RunSample[], ctx: BenchContext): Row {
  const row = rowOf(ROWS.jwksDuringLogins, summarise(probes), ctx.baselineRps);
  return { ...row, note: `${PROBE.overallRate} req/s over ${PROBE.connections} connections` };
}
