import type { BenchResults } from './results-file.ts';
import { tooManyFailures } from './row.ts';
import { cpuTable, resultsTable, sessionsTable } from './table.ts';

/** The tables, the storage and the load average, on stdout. */
export function printResults(results: BenchResults): void {
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out(`\n${resultsTable(results.rows)}\n`);
  if (results.sessions) out(`${sessionsTable(results.sessions)}\n`);
  const cpu = cpuTable(results.rows);
  if (cpu) out(`${cpu}\n`);
  out(`storage: ${results.storage}`);
  const { before, after } = results.loadAverage;
  out(`load average before ${before.join(' ')}, after ${after.join(' ')}`);
}

/**
 * Rows whose requests failed: a path that is broken, not slow. A smoke run (--quick in CI)
 * fails on these, never on a missed target.
 */
export function brokenRows(results: BenchResults): string[] {
  return results.rows
    .filter((row) => row.rate !== undefined && tooManyFailures(row))
    .map((row) => `${row.path}: ${row.failed} of ${row.total} failed`);
}
