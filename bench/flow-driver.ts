/**
 * Load for the full authorization-code flow: `concurrency` scripted browsers each sign in over
 * and over (authorize → login → code → token) until the time is up. A child process of its own,
 * so that the JWKS probe the benchmark runs meanwhile has an event loop to itself.
 */
import type { Endpoints } from './http/endpoints.ts';
import { type BenchClient, type BenchUser, signIn } from './http/sign-in.ts';
import { announceReady, serve } from './support/child-side.ts';
import { percentile } from './support/stats.ts';

export interface FlowLoad {
  endpoints: Endpoints;
  client: BenchClient;
  users: BenchUser[];
  seconds: number;
  concurrency: number;
}

export interface FlowResult {
  flows: number;
  failures: number;
  firstFailure?: string;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Median time of each step of a flow, in ms. */
  stepsP50: Record<string, number>;
}

const api = {
  async run(load: FlowLoad): Promise<FlowResult> {
    const latencies: number[] = [];
    const steps = new Map<string, number[]>();
    const timer = (step: string, ms: number) => {
      steps.set(step, [...(steps.get(step) ?? []), ms]);
    };
    let failures = 0;
    let firstFailure: string | undefined;
    const started = performance.now();
    const deadline = started + load.seconds * 1000;
    const browser = async (lane: number) => {
      for (let round = 0; performance.now() < deadline; round += 1) {
        const user = load.users[(lane + round) % load.users.length] as BenchUser;
        const begun = performance.now();
        try {
          await signIn(load.endpoints, load.client, user, { scope: 'openid email profile' }, timer);
          latencies.push(performance.now() - begun);
        } catch (error) {
          failures += 1;
          firstFailure ??= String(error);
        }
      }
    };
    await Promise.all(Array.from({ length: load.concurrency }, (_, lane) => browser(lane)));
    const seconds = (performance.now() - started) / 1000;
    return {
      flows: latencies.length,
      failures,
      ...(firstFailure ? { firstFailure } : {}),
      seconds,
      perSecond: latencies.length / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      stepsP50: Object.fromEntries([...steps].map(([step, ms]) => [step, percentile(ms, 50)])),
    };
  },
};

export type FlowDriverApi = typeof api;

serve(api);
announceReady({});
