/**
 * Portcullis as the benchmark runs it: a child process of its own (the load generator must not
 * share its event loop), configured from the environment and logging to stdout exactly like
 * `npm start` (the benchmark points stdout at a file). Over IPC it also answers benchmark-only
 * requests: its memory after a full GC, "store these sessions" (see seedSessions), the number of
 * SQL statements it sent, and CPU profiling.
 */

import { startPortcullis } from '../src/app/portcullis.ts';
import { loadConfig } from '../src/config/load.ts';
import type { ResourceServer, ResourceServerLookup } from '../src/oidc/resource-indicators.ts';
import { createLogger } from '../src/shared/logger.ts';
import { announceReady, serve } from './support/child-side.ts';
import { createProfiler } from './support/profiler.ts';
import { countPostgresQueries } from './support/query-counter.ts';

export interface ServerInfo {
  issuer: string;
  storage: string;
  pid: number;
}

export interface SeedSession {
  id: string;
  uid: string;
  accountId: string;
}

export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

const queries = countPostgresQueries();
const config = loadConfig(process.env);
const portcullis = await startPortcullis(config, {
  logger: createLogger(config.logLevel),
  ...jwtApi(process.env.BENCH_JWT_API),
});
const profiler = createProfiler();

const api = {
  async memory(_: undefined): Promise<MemorySample> {
    globalThis.gc?.();
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    return { rss, heapUsed, heapTotal, external, arrayBuffers };
  },

  /**
   * Stores signed-in browser sessions through the provider's own Session model, so they land in
   * whichever store this build keeps sessions in (SQL today, Redis once it is configured), in
   * exactly the format a real login writes. It skips only the HTTP login and its argon2 hash.
   */
  async seedSessions(sessions: SeedSession[]): Promise<number> {
    const { Session } = portcullis.provider();
    const loginTs = Math.floor(Date.now() / 1000);
    await Promise.all(
      sessions.map((seed) => {
        const session = new Session();
        session.jti = seed.id;
        session.uid = seed.uid;
        session.loginAccount({ accountId: seed.accountId, loginTs, amr: ['pwd'] });
        return session.save(config.ttl.session);
      }),
    );
    return sessions.length;
  },

  /** SQL statements sent to Postgres so far. */
  queries: async (_: undefined) => queries(),

  startProfile: (_: undefined) => profiler.start(),
  stopProfile: (file: string) => profiler.stop(file),
};

export type ServerApi = typeof api;

/**
 * With BENCH_JWT_API set, one API (resource server) whose access tokens are JWTs, registered
 * through startPortcullis's `resourceServers` option: the real issuing path of oidc-provider and
 * src/oidc/resource-indicators.ts, while no command registers APIs yet.
 */
function jwtApi(identifier: string | undefined): { resourceServers?: ResourceServerLookup } {
  if (!identifier) return {};
  const api: ResourceServer = { scope: 'read write', accessTokenFormat: 'jwt' };
  return { resourceServers: (indicator) => (indicator === identifier ? api : undefined) };
}

serve(api, () => portcullis.close());
announceReady<ServerInfo>({
  issuer: portcullis.issuer,
  storage: portcullis.database.kind,
  pid: process.pid,
});
