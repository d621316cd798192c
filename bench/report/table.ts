import type { SessionsReport } from '../scenarios/sessions.ts';
import { decimal, integer, markdownTable, mebibytes } from './format.ts';
import type { Row } from './row.ts';

const HEADER = [
  'path',
  'rate',
  'p50 ms',
  'p99 ms',
  'failed',
  'SQL/req',
  '× baseline',
  'target',
  'result',
  'notes',
];

export function resultsTable(rows: Row[]): string {
  return markdownTable(
    HEADER,
    rows.map((row) => [
      row.path,
      row.rate === undefined ? '—' : `${integer(row.rate)} ${row.unit}`,
      decimal(row.p50),
      decimal(row.p99),
      row.rate === undefined ? '—' : `${integer(row.failed)}/${integer(row.total)}`,
      decimal(row.queriesPerRequest),
      decimal(row.ratioToBaseline, 2),
      row.target,
      row.verdict,
      notesOf(row),
    ]),
  );
}

function notesOf(row: Row): string {
  const compared = row.compared ? `${row.compared.ratio.toFixed(2)} ${row.compared.label}` : '';
  return [compared, row.note ?? ''].filter(Boolean).join('; ');
}

export function sessionsTable(report: SessionsReport): string {
  const { memory, perSession } = report;
  const rows = [
    ['server RSS at idle (after start and seeding)', mebibytes(memory.idle.rss)],
    ['server RSS after the load, before the sessions', mebibytes(memory.before.rss)],
    [`server RSS with ${integer(report.sessions)} active sessions`, mebibytes(memory.after.rss)],
    ['sessions stored in', report.storedIn],
    ['per session: server process RSS', `${integer(perSession.processRssBytes)} B`],
    ['per session: server JS heap (live objects)', `${integer(perSession.processHeapBytes)} B`],
    ['per session: SQL (oidc_payloads, with indexes)', `${integer(perSession.sqlBytes)} B`],
    ['per session: Redis (used_memory)', redisCell(perSession.redisBytes)],
    [
      'using each session once (prompt=none)',
      `${integer(report.use.rps)} req/s, p99 ${decimal(report.use.p99)} ms, ${statusSummary(report.use.statusCodes)}, ${decimal(report.queriesPerUse)} SQL/req`,
    ],
  ];
  return markdownTable(['sessions', 'value'], rows);
}

function redisCell(bytes: number | undefined): string {
  return bytes === undefined ? '— (no Redis configured)' : `${integer(bytes)} B`;
}

function statusSummary(codes: Record<string, number>): string {
  return Object.entries(codes)
    .map(([code, count]) => `${integer(count)} × ${code}`)
    .join(', ');
}

/** Cores each group used while each scenario ran (a row per scenario, named by its first row). */
export function cpuTable(rows: Row[]): string | undefined {
  const seen = new Set<unknown>();
  const lines: string[][] = [];
  for (const row of rows) {
    if (!row.cpu || seen.has(row.cpu)) continue;
    seen.add(row.cpu);
    const { server, loadGenerators, postgres, redis, other } = row.cpu;
    lines.push([
      row.path,
      ...[server, loadGenerators, postgres, redis, other].map((v) => v.toFixed(2)),
    ]);
  }
  if (lines.length === 0) return undefined;
  const header = [
    'scenario (cores used)',
    'server',
    'load generators',
    'postgres',
    'redis',
    'other',
  ];
  return markdownTable(header, lines);
}
