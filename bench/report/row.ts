import type { Measurement } from '../load/measure.ts';
import type { CpuShares } from '../support/cpu-accounting.ts';

type Verdict = 'PASS' | 'MISS' | '—' | 'not available yet';

/** A second yardstick for rows whose target is relative to something other than the baseline. */
export interface Reference {
  label: string;
  rate: number;
}

/** One line of the results table. */
export interface Row {
  id: string;
  path: string;
  unit: 'req/s' | 'flows/s' | 'verifications/s';
  /** Median rate over the runs; undefined when the path could not be measured. */
  rate: number | undefined;
  p50?: number | undefined;
  p99?: number | undefined;
  /** Responses that were not the expected status, plus connection errors and timeouts. */
  failed: number;
  total: number;
  /** SQL statements the server sent per request (Postgres only). */
  queriesPerRequest?: number | undefined;
  ratioToBaseline: number | undefined;
  /** The rate against the row's own yardstick (the argon2 ceiling, the 10-client rate). */
  compared?: { label: string; ratio: number } | undefined;
  target: string;
  verdict: Verdict;
  note?: string | undefined;
  /** Cores each group of processes used while the row's scenario ran. */
  cpu?: CpuShares | undefined;
  /** Per-run figures and anything else worth keeping in the JSON results. */
  detail?: unknown;
}

interface Facts {
  rate: number;
  p99: number;
  ratioToBaseline: number;
  /** The rate against the row's reference, when it has one. */
  compared: number;
}

export interface RowSpec {
  id: string;
  path: string;
  target: string;
  met?: (facts: Facts) => boolean;
}

/** More than one request in a thousand failing makes a rate meaningless. */
export function tooManyFailures(row: Pick<Row, 'failed' | 'total'>): boolean {
  return row.total === 0 || row.failed / row.total > 0.001;
}

/** A row from an autocannon measurement whose every response should be a 2xx. */
export function rowOf(
  spec: RowSpec,
  measurement: Measurement,
  baselineRps: number,
  reference?: Reference,
): Row {
  return judged(spec, {
    id: spec.id,
    path: spec.path,
    unit: 'req/s',
    rate: measurement.rps,
    p50: measurement.p50,
    p99: measurement.p99,
    failed: measurement.non2xx + measurement.wrong + measurement.errors,
    total: measurement.runs.reduce((sum, run) => sum + run.requests, 0),
    queriesPerRequest: measurement.queriesPerRequest,
    ratioToBaseline: baselineRps > 0 ? measurement.rps / baselineRps : undefined,
    compared: reference && { label: reference.label, ratio: measurement.rps / reference.rate },
    target: spec.target,
    verdict: '—',
    detail: { statusCodes: measurement.statusCodes, runs: measurement.runs },
  });
}

/** Sets the verdict: MISS when too many requests failed, else what the spec's target says. */
export function judged(spec: RowSpec, row: Row): Row {
  if (!spec.met || row.rate === undefined) return row;
  if (tooManyFailures(row)) {
    return { ...row, verdict: 'MISS', note: `${row.failed} of ${row.total} requests failed` };
  }
  const facts: Facts = {
    rate: row.rate,
    p99: row.p99 ?? Number.POSITIVE_INFINITY,
    ratioToBaseline: row.ratioToBaseline ?? 0,
    compared: row.compared?.ratio ?? 0,
  };
  return { ...row, verdict: spec.met(facts) ? 'PASS' : 'MISS' };
}

export function unavailableRow(spec: RowSpec, reason: string): Row {
  return {
    id: spec.id,
    path: spec.path,
    unit: 'req/s',
    rate: undefined,
    failed: 0,
    total: 0,
    ratioToBaseline: undefined,
    target: spec.target,
    verdict: 'not available yet',
    note: reason,
  };
}
