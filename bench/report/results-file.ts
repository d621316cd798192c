import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Machine } from '../machine.ts';
import type { SessionsReport } from '../scenarios/sessions.ts';
import type { Row } from './row.ts';

export interface BenchResults {
  date: string;
  mode: 'full' | 'quick' | 'partial';
  machine: Machine;
  storage: string;
  loadAverage: { before: number[]; after: number[]; quietBeforeStart: boolean | undefined };
  plan: unknown;
  rows: Row[];
  sessions: SessionsReport | undefined;
  seconds: number;
}

/**
 * bench/results/<date>.json for a full run; <date>-quick.json and <date>-partial.json for the
 * others, which are not meant to be committed.
 */
export function writeResults(dir: string, results: BenchResults): string {
  mkdirSync(dir, { recursive: true });
  const stamp = results.date.replace(/:/g, '').replace(/\.\d+Z$/, 'Z');
  const file = join(dir, `${stamp}${results.mode === 'full' ? '' : `-${results.mode}`}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
