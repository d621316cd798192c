import type { BaselineInfo } from '../baseline-server.ts';
import { measure } from '../load/measure.ts';
import type { LoadPlan } from '../load/plan.ts';
import { type Row, rowOf } from '../report/row.ts';
import { startChild } from '../support/child-process.ts';
import { ROWS } from '../targets.ts';

/** The plain koa server, in its own process, loaded exactly like the server under test. */
export async function measureBaseline(plan: LoadPlan): Promise<Row> {
  const baseline = await startChild<Record<never, never>, BaselineInfo>(
    new URL('../baseline-server.ts', import.meta.url),
  );
  try {
    const measurement = await measure({ url: baseline.info.url }, plan);
    return rowOf(ROWS.baseline, measurement, measurement.rps);
  } finally {
    await baseline.stop();
  }
}
