import { availableParallelism, cpus, loadavg, release, totalmem, type } from 'node:os';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  os: string;
  node: string;
}

export function describeMachine(): Machine {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    os: `${type()} ${release()}`,
    node: process.version,
  };
}

export const loadAverage = (): number[] => loadavg().map((value) => Math.round(value * 100) / 100);

/**
 * Other work on the machine depresses every figure. Polls the 1-minute load average every 30 s
 * until it is below `threshold`, for `maxMinutes` at most; says whether it got there.
 */
export async function waitForQuiet(
  report: (message: string) => void,
  threshold = 1.0,
  maxMinutes = 15,
): Promise<boolean> {
  const deadline = Date.now() + maxMinutes * 60_000;
  for (;;) {
    const [oneMinute = 0] = loadavg();
    if (oneMinute < threshold) return true;
    if (Date.now() >= deadline) return false;
    report(`load average ${oneMinute.toFixed(2)} >= ${threshold}; waiting 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 30_000));
  }
}
