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
  const servers = () => [ctx.server.child.pid, ...ctx.extraServers.map((server) => server.pid)];
  const groups = {
    server: servers,
    loadGenerators: () => [
      process.pid,
      ...[...runningChildren].filter((pid) => !servers().includes(pid)),
    ],
  };
  if (ctx.cpuProfileDir) await ctx.server.child.call('startProfile', undefined);
  const before = snapshot(groups);
  const { result, after } = await step().then(
    async (value) => ({ result: value, after: snapshot(groups) }),
    async (error: unknown) => {
      await stopExtraServers(ctx);
      throw error;
    },
  );
  // Instances a step started are stopped after the snapshot, so their CPU counts as server.
  await stopExtraServers(ctx);
  if (ctx.cpuProfileDir) {
    const file = await ctx.server.child.call(
      'stopProfile',
      join(ctx.cpuProfileDir, `${name}.cpuprofile`),
    );
    ctx.progress(`profile of the server: ${file}`);
  }
  return { result, cpu: sharesBetween(before, after, availableParallelism()) };
}

async function stopExtraServers(ctx: BenchContext): Promise<void> {
  const servers = ctx.extraServers.splice(0);
  await Promise.all(servers.map((server) => server.stop()));
}
