/**
 * Where a server CPU profile (`npm run bench -- --cpu-prof DIR`) spends its time:
 *
 *   node bench/profile-summary.ts DIR/CPU.*.cpuprofile [--top N]
 *
 * Self time per function and per origin (a package under node_modules, a file of ours, Node's
 * internals, the garbage collector, idle), as shares of the profiled time.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { markdownTable } from './report/format.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Time per node. The first sample is left out: its delta is the profiler's own start-up. */
function selfTimes(profile: Profile): Map<number, number> {
  const times = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    if (index === 0) return;
    times.set(id, (times.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  });
  return times;
}

/** The package or file a function comes from, short enough to read. */
export function originOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return dependency[1] ?? url;
  if (url.startsWith('node:')) return 'node: internals';
  const ours = /\/((?:src|bench)\/.*)$/.exec(url);
  return ours?.[1] ?? url;
}

function tally(profile: Profile, key: (node: ProfileNode) => string): Array<[string, number]> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  for (const [id, time] of selfTimes(profile)) {
    const node = byId.get(id);
    if (!node) continue;
    const name = key(node);
    totals.set(name, (totals.get(name) ?? 0) + time);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

function share(entries: Array<[string, number]>, top: number): string[][] {
  const total = entries.reduce((sum, [, time]) => sum + time, 0);
  return entries
    .slice(0, top)
    .map(([name, time]) => [name, `${((time / total) * 100).toFixed(1)}%`]);
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
const top = Number(values.top);
for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const origin = (node: ProfileNode) => originOf(node.callFrame.url, node.callFrame.functionName);
  const fn = (node: ProfileNode) =>
    `${node.callFrame.functionName || '(anonymous)'} ${origin(node)}:${node.callFrame.lineNumber + 1}`;
  process.stdout.write(
    `${file}\n\n${markdownTable(['origin', 'self'], share(tally(profile, origin), top))}\n\n`,
  );
  process.stdout.write(
    `${markdownTable(['function', 'self'], share(tally(profile, fn), top))}\n\n`,
  );
}
