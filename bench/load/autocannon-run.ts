import autocannon from 'autocannon';
import { percentile } from '../support/stats.ts';

/** One load run: requests per second and latencies (ms). */
export interface RunSample {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  /** 2xx answers whose body the target's `expect` refused. */
  wrong: number;
  errors: number;
  statusCodes: Record<string, number>;
  seconds: number;
}

export type LoadTarget = Omit<autocannon.Options, 'duration' | 'amount'> & {
  /** Checks every 2xx answer's body; one it refuses counts as failed (a fast wrong answer). */
  expect?: (body: string) => boolean;
};

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
  const { expect, ...options } = target;
  let wrong = 0;
  const requests = expect
    ? (options.requests ?? [{}]).map((request) => ({
        ...request,
        onResponse(status: number, body: string) {
          if (status >= 200 && status < 300 && !expect(body)) wrong += 1;
        },
      }))
    : options.requests;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        ...options,
        ...(requests ? { requests } : {}),
        ...('amount' in length ? { amount: length.amount } : { duration: length.seconds }),
      },
      (error, result) => {
        if (error) reject(error);
        else resolve(sampleOf(result, wrong, target.overallRate ? undefined : latencies));
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
}

function sampleOf(
  result: autocannon.Result,
  wrong: number,
  latencies: number[] | undefined,
): RunSample {
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
    wrong,
    errors: result.errors,
    statusCodes,
    seconds: result.duration,
  };
}
