import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { runningChildren } from '../support/child-process.ts';
import { type CpuShares, sharesBetween, snapshot } from '../support/cpu-accounting.ts';
import type { BenchContext } from './context.ts';

/**
 * Runs one scenario step while watching it: the CPU each group of processes used meanwhile,
 * and, when asked for, a CPU profile of the server covering exactly this step.
 */
export async function observed<T>(
  ctx: BenchContext,
  name: string,
  step: () => Promise<T>,
): Promise<{ result: T; cpu: CpuShares | undefined }> {
  const serverPid = ctx.server.child.pid;
  const groups = {
    server: [serverPid],
    loadGenerators: () => [process.pid, ...[...runningChildren].filter((pid) => pid !== serverPid)],
  };
  if (ctx.cpuProfileDir) await ctx.server.child.call('startProfile', undefined);
  const before = snapshot(groups);
  const result = await step();
  const after = snapshot(groups);
  if (ctx.cpuProfileDir) {
    const file = await ctx.server.child.call(
      'stopProfile',
      join(ctx.cpuProfileDir, `${name}.cpuprofile`),
    );
    ctx.progress(`profile of the server: ${file}`);
  }
  return { result, cpu: sharesBetween(before, after, availableParallelism()) };
}
