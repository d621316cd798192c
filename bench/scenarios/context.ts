import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/schema.ts';
import type { Backend } from '../backend/backend.ts';
import type { Endpoints } from '../http/endpoints.ts';
import type { TokenSet } from '../http/sign-in.ts';
import type { LoadTarget } from '../load/autocannon-run.ts';
import type { Measurement } from '../load/measure.ts';
import type { LoadPlan } from '../load/plan.ts';
import type { Seed } from '../seed.ts';
import type { BenchServer } from '../server-process.ts';

/** What every scenario works with. */
export interface BenchContext {
  endpoints: Endpoints;
  plan: LoadPlan;
  seed: Seed;
  server: BenchServer;
  backend: Backend;
  /** The benchmark's own connection to the server's database (seeding only). */
  db: Kysely<Database>;
  /** Tokens of signed-in users (with refresh tokens), minted through the real flow. */
  userTokens: TokenSet[];
  /** Requests per second of the baseline, measured first. */
  baselineRps: number;
  sizes: { sessions: number; clients: number };
  /** Where to write a CPU profile of the server per scenario, when asked to. */
  cpuProfileDir: string | undefined;
  /**
   * Further server instances a step started (scale-out): counted as server in the CPU figures,
   * and stopped once the step is over.
   */
  extraServers: Array<{ pid: number; stop(): Promise<void> }>;
  /** Loads a path by the plan, counting the server's SQL statements per request. */
  measure(target: LoadTarget, beforeRun?: () => Promise<void>): Promise<Measurement>;
  /** The server's running count of SQL statements (Postgres), or undefined (embedded). */
  countQueries: (() => Promise<number>) | undefined;
  progress(message: string): void;
}
