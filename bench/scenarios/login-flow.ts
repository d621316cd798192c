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
 * The full flow with a JWKS probe alongside, after the argon2 ceiling was measured (`earlier`):
 * logins are bounded by argon2, and hashing must not stall the event loop.
 */
export async function measureLoginFlow(ctx: BenchContext, earlier: Row[]): Promise<Row[]> {
  const ceiling = earlier.find((row) => row.id === ROWS.argon2Ceiling.id)?.rate;
  if (!ceiling) throw new Error('measure the argon2 ceiling first');
  const { flows, probes, queries } = await measureFlows(ctx);
  const flow = flowRow(flows, ceiling, ctx);
  // The JWKS probe sends no SQL: every statement counted belongs to the flows.
  if (ctx.countQueries && flow.total > 0) flow.queriesPerRequest = queries / flow.total;
  return [flow, probeRow(probes, ctx)];
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
    note: `${BROWSERS} browsers; median ms per step: ${stepSummary(flows)}${firstFailure ? `; first failure: ${firstFailure}` : ''}`,
    detail: { runs: flows },
  });
}

function probeRow(probes: RunSample[], ctx: BenchContext): Row {
  const row = rowOf(ROWS.jwksDuringLogins, summarise(probes), ctx.baselineRps);
  return { ...row, note: `${PROBE.overallRate} req/s over ${PROBE.connections} connections` };
}

function stepSummary(flows: FlowResult[]): string {
  const names = Object.keys(flows[0]?.stepsP50 ?? {});
  return names
    .map((name) => `${name} ${median(flows.map((run) => run.stepsP50[name] ?? 0)).toFixed(0)}`)
    .join(', ');
}

/**
 * The flow's CPU budget, once the CPU of each step is known: what one argon2 verification costs
 * (the ceiling step's cores over its rate) against what a whole flow costs (every group's cores
 * over the flow rate, other processes on the machine left out), and so argon2's share of a
 * flow's CPU, a/(a + rest). With the machine as busy during the flow as during the ceiling, that
 * share is also the flow's ratio to the ceiling: it restates the ratio as CPU per flow, which
 * says what 0.9 would take. The server's part assumes a verification costs it what it costs the
 * ceiling's process.
 */
export function withFlowBudget(rows: Row[]): Row[] {
  const ceiling = rows.find((row) => row.id === ROWS.argon2Ceiling.id);
  const flow = rows.find((row) => row.id === ROWS.loginFlow.id);
  if (!ceiling?.cpu || !ceiling.rate || !flow?.cpu || !flow.rate) return rows;
  const argon2 = (ceiling.cpu.loadGenerators * 1000) / ceiling.rate;
  const flowRate = flow.rate;
  const perFlow = (cores: number) => (cores * 1000) / flowRate;
  const { server, loadGenerators, postgres, redis } = flow.cpu;
  const budget = {
    argon2Ms: argon2,
    serverBesideArgon2Ms: perFlow(server) - argon2,
    browsersMs: perFlow(loadGenerators),
    storageMs: perFlow(postgres + redis),
  };
  const rest = budget.serverBesideArgon2Ms + budget.browsersMs + budget.storageMs;
  const note =
    `CPU per flow: argon2 ${argon2.toFixed(1)} ms, the rest ${rest.toFixed(1)} ms ` +
    `(server ${budget.serverBesideArgon2Ms.toFixed(1)}, browsers ${budget.browsersMs.toFixed(1)}, ` +
    `storage ${budget.storageMs.toFixed(1)}): argon2 is ${(argon2 / (argon2 + rest)).toFixed(2)} ` +
    `of a flow's CPU; 0.9 of the ceiling needs the rest under ${(argon2 / 9).toFixed(1)} ms`;
  return rows.map((row) =>
    row === flow
      ? {
          ...row,
          note: [row.note, note].filter(Boolean).join('; '),
          detail: { ...(row.detail as object), budget },
        }
      : row,
  );
}
