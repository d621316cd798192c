import { createHash } from 'node:crypto';
import { type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { DependencyUnavailableError } from '../shared/errors.ts';
import type { CounterFactory } from '../storage/attempt-counters.ts';

export interface ThrottlePolicy {
  /** Failures one subject (an account, a client) may have within `windowSeconds`. */
  subjectFailures: number;
  /** Failures one client IP may have within `windowSeconds`, whatever subjects it tried. */
  ipFailures: number;
  windowSeconds: number;
  /** How long a subject or IP is refused once it used up its failures. */
  lockoutSeconds: number;
  /**
   * Failures of a subject before each further one makes it wait: 1 s after the next, then 2, 4,
   * 8 … (never past the lockout). Omit for no growing delays.
   */
  freeFailures?: number;
}

/** A policy from its settings: failures are counted over the time a lockout lasts. */
export function throttlePolicy(settings: {
  maxFailures: number;
  maxFailuresPerIp: number;
  lockoutSeconds: number;
}): ThrottlePolicy {
  return {
    subjectFailures: settings.maxFailures,
    ipFailures: settings.maxFailuresPerIp,
    windowSeconds: settings.lockoutSeconds,
    lockoutSeconds: settings.lockoutSeconds,
  };
}

/** Who an attempt is about: a subject (account or client) and the client IP it came from. */
export interface Attempt {
  subject: string;
  ip: string;
}

/**
 * Throttles repeated failures (passwords, client secrets) per subject and per client IP, in
 * counters every instance shares. A lockout always ends by itself: it lasts `lockoutSeconds`
 * from the failure that caused it, and nothing makes it permanent. Subjects are hashed before
 * they become keys, so storage holds no email address or client id in clear, and an account
 * that does not exist is counted exactly as one that does.
 */
export function createAttemptThrottle(
  counters: CounterFactory,
  kind: string,
  policy: ThrottlePolicy,
) {
  const durationSeconds = policy.windowSeconds;
  const subjects = counters({
    name: `${kind}-subject`,
    points: policy.subjectFailures,
    durationSeconds,
  });
  const ips = counters({ name: `${kind}-ip`, points: policy.ipFailures, durationSeconds });
  const delays = counters({ name: `${kind}-delay`, points: 1, durationSeconds: 1 });
  const keysOf = (attempt: Attempt) => ({ subject: keyOf(attempt.subject), ip: keyOf(attempt.ip) });
  const forget = (subject: string) =>
    store(() => Promise.all([subjects.delete(subject), delays.delete(subject)]));

  return {
    /** Seconds to wait before this attempt may be tried, or 0 when it may be tried now. */
    async retryAfter(attempt: Attempt): Promise<number> {
      const keys = keysOf(attempt);
      const waits = await Promise.all([
        waitOf(subjects, keys.subject, policy.subjectFailures),
        waitOf(ips, keys.ip, policy.ipFailures),
        waitOf(delays, keys.subject, 1),
      ]);
      return Math.max(...waits);
    },

    /** Counts a failure; past the limits, the subject or IP is locked out. */
    async failed(attempt: Attempt): Promise<void> {
      const keys = keysOf(attempt);
      const [subject] = await Promise.all([
        countFailure(subjects, keys.subject, policy),
        countFailure(ips, keys.ip, policy),
      ]);
      const free = policy.freeFailures;
      if (free !== undefined && subject > free && subject < policy.subjectFailures) {
        const delay = Math.min(2 ** (subject - free - 1), policy.lockoutSeconds);
        await store(() => delays.block(keys.subject, delay));
      }
    },

    /** A success forgets the subject's failures (not the IP's: one IP may try many subjects). */
    async succeeded(attempt: Attempt): Promise<void> {
      await forget(keysOf(attempt).subject);
    },

    /**
     * Lifts a subject's lockout (or delay) now, as a success would, and resolves with the seconds
     * it had left (0: there was none). Its IPs' counters are left alone.
     */
    async unlock(subject: string): Promise<number> {
      const key = keyOf(subject);
      const waits = await Promise.all([
        waitOf(subjects, key, policy.subjectFailures),
        waitOf(delays, key, 1),
      ]);
      await forget(key);
      return Math.max(...waits);
    },
  };
}

export type AttemptThrottle = ReturnType<typeof createAttemptThrottle>;

const keyOf = (value: string) => createHash('sha256').update(value).digest('base64url');

async function waitOf(counter: RateLimiterAbstract, key: string, points: number): Promise<number> {
  const res = await store(() => counter.get(key));
  if (!res || res.consumedPoints < points || res.msBeforeNext <= 0) return 0;
  return Math.ceil(res.msBeforeNext / 1000);
}

/** The failures counted so far for `key`, this one included; locks the key out at the limit. */
async function countFailure(
  counter: RateLimiterAbstract,
  key: string,
  policy: ThrottlePolicy,
): Promise<number> {
  const res = await store(() => counter.penalty(key, 1));
  if (res.consumedPoints === counter.points)
    await store(() => counter.block(key, policy.lockoutSeconds));
  return res.consumedPoints;
}

/**
 * Calls the store. rate-limiter-flexible rejects with a RateLimiterRes when a limit is hit and
 * with an Error when the store fails: the first is an answer, the second means the counters
 * cannot be read, and then nothing is let through unthrottled (fail closed, 503).
 */
async function store<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof RateLimiterRes) return error as T;
    throw new DependencyUnavailableError('attempt counters', error);
  }
}
