import autocannon from 'autocannon';
import { percentile } from '../support/stats.ts';

/** One load run: requests per second and latencies (ms). */
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

/**
 * Runs autocannon for `seconds`, or until `amount` requests when given. Latencies come from every
 * response's own timing (autocannon's histogram rounds to whole milliseconds), except for a
 * rate-limited run, where autocannon's histogram is kept because it corrects for coordinated
 * omission (a late answer also delays the requests that should have followed it).
 */
export function runAutocannon(
  target: LoadTarget,
  length: { seconds: number } | { amount: number },
): Promise<RunSample> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        ...target,
        ...('amount' in length ? { amount: length.amount } : { duration: length.seconds }),
      },
      (error, result) => {
        if (error) reject(error);
        else resolve(sampleOf(result, target.overallRate ? undefined : latencies));
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
}

function sampleOf(result: autocannon.Result, latencies: number[] | undefined): RunSample {
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stat.count ?? 0;
  }
  return {
    rps: result.requests.total / result.duration,
    p50: latencies ? percentile(latencies, 50) : result.latency.p50,
    p99: latencies ? percentile(latencies, 99) : result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes,
    seconds: result.duration,
  };
}
