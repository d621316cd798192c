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

/**
 * Told what the throttle decided, with the attempt it was about (metrics count them; an audit
 * log may record who and where): a counted failure, a subject or IP locked out by it, an attempt
 * refused because it must wait.
 */
export interface AttemptObserver {
  failed(attempt: Attempt): void;
  lockedOut(by: 'subject' | 'ip', attempt: Attempt): void;
  refused(attempt: Attempt): void;
}

const UNOBSERVED: AttemptObserver = { failed() {}, lockedOut() {}, refused() {} };

/**
 * Who an attempt is about: a subject (account or client) and the client IP it came from. No
 * subject when the attempt named none that exists and counting it would let anyone create
 * counters at will (an unknown client_id): then it counts against the IP alone.
 */
export interface Attempt {
  subject?: string | undefined;
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
  observer: AttemptObserver = UNOBSERVED,
) {
  const durationSeconds = policy.windowSeconds;
  const subjects = counters({
    name: `${kind}-subject`,
    points: policy.subjectFailures,
    durationSeconds,
  });
  const ips = counters({ name: `${kind}-ip`, points: policy.ipFailures, durationSeconds });
  const delays = counters({ name: `${kind}-delay`, points: 1, durationSeconds: 1 });
  const keysOf = (attempt: Attempt) => ({
    subject: attempt.subject === undefined ? undefined : keyOf(attempt.subject),
    ip: keyOf(attempt.ip),
  });
  const forget = (subject: string) =>
    store(() => Promise.all([subjects.delete(subject), delays.delete(subject)]));

  return {
    /**
     * Seconds to wait before this attempt may be tried, or 0 when it may be tried now. Callers
     * refuse an attempt that must wait, so a wait counts as a refusal.
     */
    async retryAfter(attempt: Attempt): Promise<number> {
      const { subject, ip } = keysOf(attempt);
      const waits = await Promise.all([
        waitOf(ips, ip, policy.ipFailures),
        ...(subject === undefined
          ? []
          : [waitOf(subjects, subject, policy.subjectFailures), waitOf(delays, subject, 1)]),
      ]);
      const wait = Math.max(...waits);
      if (wait > 0) observer.refused(attempt);
      return wait;
    },

    /** Counts a failure; past the limits, the subject or IP is locked out. */
    async failed(attempt: Attempt): Promise<void> {
      const keys = keysOf(attempt);
      const subject = keys.subject;
      const [failures, ipFailures] = await Promise.all([
        subject === undefined ? undefined : countFailure(subjects, subject, policy),
        countFailure(ips, keys.ip, policy),
      ]);
      observer.failed(attempt);
      if (failures === policy.subjectFailures) observer.lockedOut('subject', attempt);
      if (ipFailures === policy.ipFailures) observer.lockedOut('ip', attempt);
      if (subject === undefined || failures === undefined) return;
      const free = policy.freeFailures;
      if (free !== undefined && failures > free && failures < policy.subjectFailures) {
        const delay = Math.min(2 ** (failures - free - 1), policy.lockoutSeconds);
        await store(() => delays.block(subject, delay));
      }
    },

    /** A success forgets the subject's failures (not the IP's: one IP may try many subjects). */
    async succeeded(attempt: Attempt): Promise<void> {
      const { subject } = keysOf(attempt);
      if (subject === undefined) return;
      await forget(subject);
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
