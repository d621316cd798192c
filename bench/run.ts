/**
 * `npm run bench`: Portcullis under load on this machine, every hot path against a plain koa
 * baseline measured in the same run. See docs/PERFORMANCE.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { prepareBackend } from './backend/backend.ts';
import { discover } from './http/endpoints.ts';
import { measure } from './load/measure.ts';
import { describeMachine, loadAverage, waitForQuiet } from './machine.ts';
import { type BenchOptions, parseOptions, USAGE } from './options.ts';
import { brokenRows, printResults } from './report/print.ts';
import { type BenchResults, writeResults } from './report/results-file.ts';
import { measureBaseline } from './scenarios/baseline.ts';
import type { BenchContext } from './scenarios/context.ts';
import { runScenarios } from './scenarios/run-all.ts';
import { mintUserTokens } from './scenarios/user-tokens.ts';
import { seed } from './seed.ts';
import { startBenchServer } from './server-process.ts';

const progress = (message: string) => process.stderr.write(`bench: ${message}\n`);

async function main(options: BenchOptions): Promise<number> {
  const started = Date.now();
  const quiet = options.waitForQuiet ? await waitForQuiet(progress) : undefined;
  if (quiet === false) progress('the machine never got quiet; running anyway');
  const before = loadAverage();
  if (options.cpuProfileDir) mkdirSync(options.cpuProfileDir, { recursive: true });
  const backend = await prepareBackend(process.env, randomBytes(5).toString('hex'));
  progress(`storage: ${backend.description}`);
  try {
    progress('baseline: plain koa, 1 KB JSON');
    const baseline = await measureBaseline(options.plan);
    const { rows, sessions } = await underLoad(options, backend, baseline.rate ?? 0);
    const results: BenchResults = {
      date: new Date().toISOString(),
      mode: options.mode,
      machine: describeMachine(),
      storage: backend.description,
      loadAverage: { before, after: loadAverage(), quietBeforeStart: quiet },
      plan: { ...options.plan, ...options.sizes },
      rows: [baseline, ...rows],
      sessions,
      seconds: Math.round((Date.now() - started) / 1000),
    };
    printResults(results);
    const file = writeResults(options.resultsDir, results);
    process.stdout.write(`results: ${file} (${results.seconds} s)\n`);
    const broken = brokenRows(results);
    for (const line of broken) progress(`broken: ${line}`);
    return broken.length ? 1 : 0;
  } finally {
    await backend.cleanup();
  }
}

async function underLoad(
  options: BenchOptions,
  backend: Awaited<ReturnType<typeof prepareBackend>>,
  baselineRps: number,
) {
  progress('starting Portcullis');
  const server = await startBenchServer(backend);
  const database = await backend.connect().catch(async (error: unknown) => {
    await server.child.stop();
    throw error;
  });
  try {
    progress('seeding users and clients');
    const seeded = await seed(database.db, { users: 8, services: 10 });
    const endpoints = await discover(server.issuer);
    const idle = await server.child.call('memory', undefined);
    progress('signing users in for their tokens');
    const userTokens = await mintUserTokens(endpoints, seeded, options.plan.connections * 2 + 8);
    const countQueries =
      backend.kind === 'postgres' ? () => server.child.call('queries', undefined) : undefined;
    const ctx: BenchContext = {
      endpoints,
      plan: options.plan,
      seed: seeded,
      server,
      backend,
      db: database.db,
      userTokens,
      baselineRps,
      sizes: options.sizes,
      cpuProfileDir: options.cpuProfileDir,
      extraServers: [],
      measure: (target, beforeRun) => measure(target, options.plan, { beforeRun, countQueries }),
      countQueries,
      progress,
    };
    return await runScenarios(ctx, options.scenarios, idle);
  } finally {
    await database.close();
    await server.child.stop();
  }
}

/**
 * Everything the benchmark started is stopped by now, so Node should exit at once. If something
 * still holds the event loop (a child's module imported for a value, a socket left open), say what
 * and fail, rather than hang CI until its time runs out.
 */
function exitsSoon(seconds = 10): void {
  setTimeout(() => {
    // This timer is unref'd, so it is not among them.
    const holding = process.getActiveResourcesInfo().join(', ');
    process.stderr.write(`bench: still running ${seconds} s after the end, held by: ${holding}\n`);
    process.exit(1);
  }, seconds * 1000).unref();
}

const options = parseOptions(process.argv.slice(2));
if (!options) {
  process.stdout.write(`${USAGE}\n`);
} else {
  main(options).then(
    (code) => {
      process.exitCode = code;
      exitsSoon();
    },
    (error: unknown) => {
      process.stderr.write(
        `bench: failed: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exitCode = 1;
      exitsSoon();
    },
  );
}
