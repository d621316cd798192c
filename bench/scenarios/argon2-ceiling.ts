import { availableParallelism } from 'node:os';
import type { Argon2CeilingApi, CeilingResult } from '../argon2-ceiling.ts';
import type { Row } from '../report/row.ts';
import { startChild } from '../support/child-process.ts';
import { median } from '../support/stats.ts';
import { ROWS } from '../targets.ts';
import type { BenchContext } from './context.ts';

/**
 * What the machine can do at most for password logins: argon2id verifications at Portcullis's
 * parameters, one in flight per core, in a process of its own while nothing else runs.
 */
export async function measureArgon2Ceiling(ctx: BenchContext): Promise<Row> {
  return ceilingRow(await measureCeiling(ctx), ctx.baselineRps);
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
