import { median } from '../support/stats.ts';
import { type LoadTarget, type RunSample, runAutocannon } from './autocannon-run.ts';
import type { LoadPlan } from './plan.ts';

/** The median over the runs of a plan, with every run kept for the record. */
export interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** 2xx answers with a wrong body (see LoadTarget's `expect`). */
  wrong: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** SQL statements the server sent per request, when counted (Postgres only). */
  queriesPerRequest?: number | undefined;
  runs: RunSample[];
}

export interface MeasureOptions {
  /** Tops up what the requests consume (refresh tokens) before each run. */
  beforeRun?: () => Promise<void>;
  /** The server's running count of SQL statements, to report statements per request. */
  countQueries?: (() => Promise<number>) | undefined;
}

/** Loads one path with the plan's connections: a warm-up run (not recorded), then `runs` runs. */
export async function measure(
  target: LoadTarget,
  plan: LoadPlan,
  options: MeasureOptions = {},
): Promise<Measurement> {
  const { beforeRun = async () => {}, countQueries } = options;
  const loaded = { connections: plan.connections, ...target };
  if (plan.warmupSeconds > 0) {
    await beforeRun();
    await runAutocannon(loaded, { seconds: plan.warmupSeconds });
  }
  const runs: RunSample[] = [];
  let queries = 0;
  for (let run = 0; run < plan.runs; run += 1) {
    await beforeRun();
    const before = await countQueries?.();
    runs.push(await runAutocannon(loaded, { seconds: plan.seconds }));
    queries += ((await countQueries?.()) ?? 0) - (before ?? 0);
  }
  const requests = runs.reduce((sum, run) => sum + run.requests, 0);
  return {
    ...summarise(runs),
    queriesPerRequest: countQueries && requests > 0 ? queries / requests : undefined,
  };
}

export function summarise(runs: RunSample[]): Measurement {
  const statusCodes: Record<string, number> = {};
  for (const run of runs) {
    for (const [code, count] of Object.entries(run.statusCodes)) {
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
    }
  }
  return {
    rps: median(runs.map((run) => run.rps)),
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    wrong: runs.reduce((sum, run) => sum + run.wrong, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    statusCodes,
    runs,
  };
}

/**
 * Loads several servers at once (instances of one deployment): the plan's connections are
 * shared out, and each run's figures are added up (latencies: the worst of the instances).
 */
export async function measureAcross(
  targets: LoadTarget[],
  plan: LoadPlan,
  beforeRun: () => Promise<void> = async () => {},
): Promise<Measurement> {
  const connections = Math.max(1, Math.floor(plan.connections / targets.length));
  const loaded = targets.map((target) => ({ connections, ...target }));
  const runAll = (seconds: number) =>
    Promise.all(loaded.map((target) => runAutocannon(target, { seconds })));
  if (plan.warmupSeconds > 0) {
    await beforeRun();
    await runAll(plan.warmupSeconds);
  }
  const runs: RunSample[] = [];
  for (let run = 0; run < plan.runs; run += 1) {
    await beforeRun();
    runs.push(combine(await runAll(plan.seconds)));
  }
  return summarise(runs);
}

function combine(samples: RunSample[]): RunSample {
  const sum = (pick: (sample: RunSample) => number) =>
    samples.reduce((total, sample) => total + pick(sample), 0);
  const statusCodes: Record<string, number> = {};
  for (const sample of samples) {
    for (const [code, count] of Object.entries(sample.statusCodes)) {
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
    }
  }
  return {
    rps: sum((sample) => sample.rps),
    p50: Math.max(...samples.map((sample) => sample.p50)),
    p99: Math.max(...samples.map((sample) => sample.p99)),
    requests: sum((sample) => sample.requests),
    non2xx: sum((sample) => sample.non2xx),
    wrong: sum((sample) => sample.wrong),
    errors: sum((sample) => sample.errors),
    statusCodes,
    seconds: Math.max(...samples.map((sample) => sample.seconds)),
  };
}
