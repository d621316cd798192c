import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FULL_PLAN, type LoadPlan, QUICK_PLAN } from './load/plan.ts';

const SCENARIOS = [
  'static',
  'client-credentials',
  'introspection',
  'userinfo',
  'refresh',
  'login',
  'scale',
  'clients',
  'sessions',
] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  /** full: the whole benchmark as documented; quick: the smoke run; partial: anything else. */
  mode: 'full' | 'quick' | 'partial';
  scenarios: ReadonlySet<Scenario>;
  plan: LoadPlan;
  sizes: { sessions: number; clients: number };
  /** Write a V8 CPU profile of the server process into this directory. */
  cpuProfileDir: string | undefined;
  /** Wait (at most 15 minutes) for the 1-minute load average to drop below 1.0 first. */
  waitForQuiet: boolean;
  resultsDir: string;
}

export const USAGE = `usage: npm run bench -- [options]

  --quick              one 2-second run per path and small populations (a smoke test, ~1 min)
  --only a,b           only these scenarios (the baseline always runs): ${SCENARIOS.join(', ')}
  --runs N --seconds S --connections C    override the load plan (default 3 x 10 s, 16)
  --sessions N --clients N                populations (default 100000 each; quick: 2000)
  --cpu-prof DIR       write a CPU profile of the server per scenario into DIR (see
                       bench/profile-summary.ts)
  --wait-for-quiet     first wait (15 min at most) until the load average is below 1.0

Storage: BENCH_DATABASE_URL or DATABASE_URL (Postgres; a database of its own is created and
dropped), BENCH_REDIS_URL or REDIS_URL (a key prefix of its own, deleted at the end); without
them, embedded PGlite.`;

export function parseOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      runs: { type: 'string' },
      seconds: { type: 'string' },
      connections: { type: 'string' },
      sessions: { type: 'string' },
      clients: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'wait-for-quiet': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const base = values.quick ? QUICK_PLAN : FULL_PLAN;
  const population = values.quick ? 2_000 : 100_000;
  return {
    mode: modeOf(values),
    scenarios: scenariosOf(values.only),
    plan: {
      ...base,
      runs: count(values.runs, base.runs),
      seconds: count(values.seconds, base.seconds),
      connections: count(values.connections, base.connections),
    },
    sizes: {
      sessions: count(values.sessions, population),
      clients: count(values.clients, population),
    },
    cpuProfileDir: values['cpu-prof'] && resolve(values['cpu-prof']),
    waitForQuiet: values['wait-for-quiet'],
    resultsDir: new URL('./results', import.meta.url).pathname,
  };
}

function scenariosOf(only: string | undefined): ReadonlySet<Scenario> {
  if (!only) return new Set(SCENARIOS);
  const names = only.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`unknown scenario: ${unknown.join(', ')}`);
  return new Set(names as Scenario[]);
}

function count(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`not a positive integer: ${text}`);
  return value;
}

function modeOf(values: Record<string, string | boolean | undefined>): BenchOptions['mode'] {
  if (values.quick) return 'quick';
  const tuned = ['only', 'runs', 'seconds', 'connections', 'sessions', 'clients'];
  return tuned.some((name) => values[name] !== undefined) ? 'partial' : 'full';
}
