import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where the machine's CPU time goes while a step runs, from /proc (Linux only): the server, the
 * benchmark's own processes (the load generators), Postgres, Redis, and everything else on the
 * machine. On a shared 2-core box this is what makes a figure readable.
 */
export interface CpuGroups {
  server: () => number[];
  loadGenerators: () => number[];
}

export type CpuShares = Record<
  'server' | 'loadGenerators' | 'postgres' | 'redis' | 'other',
  number
>;

interface Snapshot {
  busy: number;
  total: number;
  groups: Omit<CpuShares, 'other'>;
}

export function snapshot(groups: CpuGroups): Snapshot | undefined {
  const machine = readMachine();
  if (!machine) return undefined;
  const byName = ticksByCommand(['postgres', 'redis-server']);
  return {
    ...machine,
    groups: {
      server: sumTicks(groups.server()),
      loadGenerators: sumTicks(groups.loadGenerators()),
      postgres: byName.postgres ?? 0,
      redis: byName['redis-server'] ?? 0,
    },
  };
}

/** Cores used by each group between two snapshots (2.0 = both cores of a 2-core machine). */
export function sharesBetween(
  before: Snapshot | undefined,
  after: Snapshot | undefined,
  cores: number,
): CpuShares | undefined {
  if (!before || !after || after.total <= before.total) return undefined;
  const elapsed = (after.total - before.total) / cores;
  // A Postgres backend that exits within the step takes its ticks along: never below zero.
  const used = (ticks: number) => Math.max(0, Math.round((ticks / elapsed) * 100) / 100);
  const groups = Object.fromEntries(
    Object.entries(after.groups).map(([name, ticks]) => [
      name,
      used(ticks - before.groups[name as keyof Snapshot['groups']]),
    ]),
  ) as Omit<CpuShares, 'other'>;
  const ours = Object.values(groups).reduce((sum, value) => sum + value, 0);
  const other = Math.round((used(after.busy - before.busy) - ours) * 100) / 100;
  return { ...groups, other: Math.max(0, other) };
}

function readMachine(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
      line.trim().split(/\s+/).slice(1).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return undefined;
  }
}

/**
 * utime + stime of a process, in clock ticks; 0 once it is gone. With `reaped`, the time of its
 * children that have exited too (so a helper process that ended within the step still counts).
 */
function processTicks(pid: number | string, reaped = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    const own = (fields[11] ?? 0) + (fields[12] ?? 0);
    return reaped ? own + (fields[13] ?? 0) + (fields[14] ?? 0) : own;
  } catch {
    return 0;
  }
}

const sumTicks = (pids: number[]) =>
  pids.reduce((sum, pid) => sum + processTicks(pid, pid === process.pid), 0);

function ticksByCommand(commands: string[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    let command = '';
    try {
      command = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (commands.includes(command)) totals[command] = (totals[command] ?? 0) + processTicks(pid);
  }
  return totals;
}
