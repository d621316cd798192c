import { randomBytes } from 'node:crypto';
import { sessionCookie } from '../http/session-cookie.ts';
import { type RunSample, runAutocannon } from '../load/autocannon-run.ts';
import type { MemorySample, SeedSession } from '../server.ts';
import type { BenchContext } from './context.ts';
import { type StorageSample, sampleStorage } from './storage-size.ts';

const BATCH = 1000;

export interface SessionsReport {
  sessions: number;
  storedIn: string;
  memory: { idle: MemorySample; before: MemorySample; after: MemorySample };
  storage: { before: StorageSample; after: StorageSample };
  perSession: {
    processRssBytes: number;
    processHeapBytes: number;
    sqlBytes: number;
    redisBytes: number | undefined;
  };
  /** Every session used once over HTTP (silent authentication), so the server has seen each. */
  use: RunSample;
  /** SQL statements per use (Postgres only). */
  queriesPerUse: number | undefined;
}

/**
 * Server memory and storage per active session. Sessions are stored through the server's own
 * Session model over IPC (no HTTP login, so no argon2 per session), then each is used once over
 * HTTP with its signed cookie: a silent authentication request (prompt=none) that loads the
 * session and the account and writes the session back. Memory is read after a full GC.
 */
export async function measureSessions(
  ctx: BenchContext,
  idle: MemorySample,
): Promise<SessionsReport> {
  const before = { memory: await memory(ctx), storage: await sampleStorage(ctx) };
  const seeds = sessionSeeds(ctx, ctx.sizes.sessions);
  for (let start = 0; start < seeds.length; start += BATCH) {
    await ctx.server.child.call('seedSessions', seeds.slice(start, start + BATCH));
  }
  const stored = await sampleStorage(ctx);
  ctx.progress(`using each of the ${seeds.length.toLocaleString('en')} sessions once`);
  const queriesBefore = (await ctx.countQueries?.()) ?? 0;
  const use = await useEverySession(ctx, seeds);
  const queries = ((await ctx.countQueries?.()) ?? 0) - queriesBefore;
  const after = await memory(ctx);
  const count = seeds.length;
  return {
    sessions: count,
    storedIn: storedIn(stored, before.storage, count),
    memory: { idle, before: before.memory, after },
    storage: { before: before.storage, after: stored },
    perSession: {
      processRssBytes: (after.rss - before.memory.rss) / count,
      processHeapBytes: (after.heapUsed - before.memory.heapUsed) / count,
      sqlBytes: (stored.sqlBytes - before.storage.sqlBytes) / count,
      redisBytes:
        stored.redisBytes === undefined || before.storage.redisBytes === undefined
          ? undefined
          : (stored.redisBytes - before.storage.redisBytes) / count,
    },
    use,
    queriesPerUse: ctx.countQueries ? queries / use.requests : undefined,
  };
}

const memory = (ctx: BenchContext) => ctx.server.child.call('memory', undefined);

function sessionSeeds(ctx: BenchContext, count: number): SeedSession[] {
  const users = ctx.seed.users;
  return Array.from({ length: count }, (_, index) => ({
    id: randomBytes(16).toString('base64url'),
    uid: randomBytes(16).toString('base64url'),
    accountId: (users[index % users.length] as { id: string }).id,
  }));
}

function storedIn(after: StorageSample, before: StorageSample, count: number): string {
  const inSql = after.sqlSessions - before.sqlSessions;
  const inRedis = (after.redisSessions ?? 0) - (before.redisSessions ?? 0);
  if (inRedis >= count) return `Redis (${inRedis.toLocaleString('en')} Session entries)`;
  return `SQL oidc_payloads (${inSql.toLocaleString('en')} Session rows)`;
}

async function useEverySession(ctx: BenchContext, seeds: SeedSession[]): Promise<RunSample> {
  const url = silentAuthenticationUrl(ctx);
  const cookies = seeds.map((seed) => sessionCookie(ctx.server.cookieSecret, seed.id));
  await expectConsentRequired(url, cookies[0] as string);
  let next = 0;
  return runAutocannon(
    {
      url: url.href,
      connections: ctx.plan.connections,
      requests: [
        {
          setupRequest(request) {
            const cookie = cookies[next % cookies.length] as string;
            next += 1;
            return { ...request, headers: { cookie } };
          },
        },
      ],
    },
    { amount: seeds.length },
  );
}

/** An authorization request that needs the session and nothing else: prompt=none. */
function silentAuthenticationUrl(ctx: BenchContext): URL {
  const url = new URL(ctx.endpoints.authorization);
  url.search = new URLSearchParams({
    client_id: ctx.seed.thirdParty.clientId,
    response_type: 'code',
    redirect_uri: ctx.seed.thirdParty.redirectUri,
    scope: 'openid',
    prompt: 'none',
    code_challenge: randomBytes(32).toString('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  return url;
}

/**
 * The session is recognised when the answer is consent_required (the third-party app has no
 * grant yet); login_required would mean the cookie or the stored session was not accepted.
 */
async function expectConsentRequired(url: URL, cookie: string): Promise<void> {
  const response = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  const location = response.headers.get('location') ?? '';
  if (!location.includes('error=consent_required')) {
    const error = new URL(location, url).searchParams.get('error');
    throw new Error(`a seeded session was not recognised (${response.status} ${error})`);
  }
}
