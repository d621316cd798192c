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
  runs: RunSample[];
}

/**
 * Loads one path with the plan's connections: a warm-up run (not recorded), then `runs` runs.
 * `beforeRun` may top up what the requests consume (refresh tokens).
 */
export async function measure(
  target: LoadTarget,
  plan: LoadPlan,
  beforeRun: () => Promise<void> = async () => {},
): Promise<Measurement> {
  const loaded = { connections: plan.connections, ...target };
  if (plan.warmupSeconds > 0) {
    await beforeRun();
    await runAutocannon(loaded, { seconds: plan.warmupSeconds });
  }
  const runs: RunSample[] = [];
  for (let run = 0; run < plan.runs; run += 1) {
    await beforeRun();
    runs.push(await runAutocannon(loaded, { seconds: plan.seconds }));
  }
  return summarise(runs);
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
