/**
 * Portcullis as the benchmark runs it: a child process of its own (the load generator must not
 * share its event loop), configured from the environment exactly like `npm start`, with logs
 * written to a file instead of stdout. Over IPC it also answers two benchmark-only questions:
 * its memory after a full GC, and "store these sessions" (see seedSessions).
 */
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/logger.ts';
import { startPortcullis } from '../src/portcullis.ts';
import { announceReady, serve } from './support/child-side.ts';

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

const config = loadConfig(process.env);
const logFile = process.env.BENCH_LOG_FILE;
const logger = createLogger(
  config.logLevel,
  pino.destination({ dest: logFile ?? 1, sync: false, mkdir: true }),
);
const portcullis = await startPortcullis(config, { logger });

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
};

export type ServerApi = typeof api;

serve(api, () => portcullis.close());
announceReady<ServerInfo>({
  issuer: portcullis.issuer,
  storage: portcullis.database.kind,
  pid: process.pid,
});
