import { median } from '../support/stats.ts';
import { type LoadTarget, type RunSample, runAutocannon } from './autocannon-run.ts';
import type { LoadPlan } from './plan.ts';

/** The median over the runs of a plan, with every run kept for the record. */
export interface Measurement {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
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
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    statusCodes,
    runs,
  };
}
