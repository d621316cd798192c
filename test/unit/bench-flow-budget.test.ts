import { describe, expect, it } from 'vitest';
import type { Row } from '../../bench/report/row.ts';
import { withFlowBudget } from '../../bench/scenarios/login-flow.ts';
import type { CpuShares } from '../../bench/support/cpu-accounting.ts';

const cores = (shares: Partial<CpuShares>): CpuShares => ({
  server: 0,
  loadGenerators: 0,
  postgres: 0,
  redis: 0,
  other: 0,
  ...shares,
});

const row = (id: string, rate: number, cpu: CpuShares, note?: string): Row => ({
  id,
  path: id,
  unit: 'req/s',
  rate,
  failed: 0,
  total: 1,
  ratioToBaseline: undefined,
  target: '—',
  verdict: '—',
  cpu,
  ...(note ? { note } : {}),
});

describe('the login flow CPU budget (benchmark)', () => {
  it('splits a flow into argon2 and the rest, and says how much of the ceiling that allows', () => {
    // 100 verifications/s on 2 cores: 20 ms each. 50 flows/s using 1.5 cores of server
    // (30 ms a flow: 20 of argon2, 10 beside it), 0.25 of browsers (5 ms), 0.05 of storage (1 ms).
    const rows = withFlowBudget([
      row('argon2-ceiling', 100, cores({ server: 0.05, loadGenerators: 2, other: 0.1 })),
      row(
        'authorization-code-flow',
        50,
        cores({ server: 1.5, loadGenerators: 0.25, postgres: 0.03, redis: 0.02, other: 0.4 }),
        '8 browsers',
      ),
    ]);
    const flow = rows[1];
    expect(flow?.note).toBe(
      '8 browsers; CPU per flow: argon2 20.0 ms, the rest 16.0 ms (server 10.0, browsers 5.0, ' +
        "storage 1.0): argon2 is 0.56 of a flow's CPU; 0.9 of the ceiling needs the rest under 2.2 ms",
    );
    expect(flow?.detail).toMatchObject({
      budget: { argon2Ms: 20, serverBesideArgon2Ms: 10, browsersMs: 5, storageMs: 1 },
    });
    expect(rows[0]).toEqual(
      row('argon2-ceiling', 100, cores({ server: 0.05, loadGenerators: 2, other: 0.1 })),
    );
  });

  it('leaves the rows as they are when the flow, the ceiling or their CPU was not measured', () => {
    const ceiling = row('argon2-ceiling', 100, cores({ loadGenerators: 2 }));
    const flow = row('authorization-code-flow', 50, cores({ server: 1.5 }));
    const { cpu: _, ...flowWithoutCpu } = flow;
    expect(withFlowBudget([ceiling])).toEqual([ceiling]);
    expect(withFlowBudget([flow])).toEqual([flow]);
    expect(withFlowBudget([ceiling, flowWithoutCpu])).toEqual([ceiling, flowWithoutCpu]);
  });
});
