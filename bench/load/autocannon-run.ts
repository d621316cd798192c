import autocannon from 'autocannon';

/** One load run: requests per second and latencies (ms) as autocannon measured them. */
export interface RunSample {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  seconds: number;
}

export type LoadTarget = Omit<autocannon.Options, 'duration' | 'amount'>;

/** Runs autocannon for `seconds`, or until `amount` requests when given. */
export async function runAutocannon(
  target: LoadTarget,
  length: { seconds: number } | { amount: number },
): Promise<RunSample> {
  const result = await autocannon({
    ...target,
    ...('amount' in length ? { amount: length.amount } : { duration: length.seconds }),
  });
  return sampleOf(result);
}

function sampleOf(result: autocannon.Result): RunSample {
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stat.count ?? 0;
  }
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes,
    seconds: result.duration,
  };
}
