import type { Kysely } from 'kysely';
import type { Database } from '../../src/storage/schema.ts';
import type { Backend } from '../backend/backend.ts';
import type { Endpoints } from '../http/endpoints.ts';
import type { TokenSet } from '../http/sign-in.ts';
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
  progress(message: string): void;
}
