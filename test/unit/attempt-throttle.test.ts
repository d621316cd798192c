import { RateLimiterMemory } from 'rate-limiter-flexible';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Attempt, createAttemptThrottle } from '../../src/domain/attempt-throttle.ts';
import { DependencyUnavailableError } from '../../src/shared/errors.ts';
import type { CounterFactory } from '../../src/storage/attempt-counters.ts';

const memoryCounters: CounterFactory = ({ name, points, durationSeconds }) =>
  new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds });

const policy = { subjectFailures: 6, ipFailures: 50, windowSeconds: 600, lockoutSeconds: 300 };
const attempt = { subject: 'someone@example.com', ip: '192.0.2.7' };

describe('the attempt throttle', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-12-02T12:00:00Z') }));
  afterEach(() => vi.useRealTimers());

  it('makes each failure past the free ones wait twice as long, then locks out', async () => {
    const throttle = createAttemptThrottle(memoryCounters, 'login', { ...policy, freeFailures: 2 });
    const waits: number[] = [];
    for (let failure = 1; failure <= 6; failure += 1) {
      await throttle.failed(attempt);
      waits.push(await throttle.retryAfter(attempt));
      vi.advanceTimersByTime(
        waits.at(-1) === policy.lockoutSeconds ? 0 : (waits.at(-1) ?? 0) * 1000,
      );
    }
    expect(waits).toEqual([0, 0, 1, 2, 4, 300]);
  });

  it('lifts a lockout after lockoutSeconds, and counts afresh', async () => {
    const throttle = createAttemptThrottle(memoryCounters, 'login', policy);
    for (let i = 0; i < policy.subjectFailures; i += 1) await throttle.failed(attempt);
    expect(await throttle.retryAfter(attempt)).toBe(policy.lockoutSeconds);

    vi.advanceTimersByTime(policy.lockoutSeconds * 1000 + 1);
    expect(await throttle.retryAfter(attempt)).toBe(0);
    await throttle.failed(attempt);
    expect(await throttle.retryAfter(attempt)).toBe(0);
  });

  it('counts failures per IP across subjects', async () => {
    const throttle = createAttemptThrottle(memoryCounters, 'login', { ...policy, ipFailures: 3 });
    for (const n of [1, 2, 3]) await throttle.failed({ subject: `user${n}`, ip: attempt.ip });
    expect(await throttle.retryAfter({ subject: 'user4', ip: attempt.ip })).toBe(
      policy.lockoutSeconds,
    );
    expect(await throttle.retryAfter({ subject: 'user4', ip: '198.51.100.1' })).toBe(0);
  });

  it('counts an attempt without a subject against its IP only, creating no subject counter', async () => {
    const limiters = new Map<string, RateLimiterMemory>();
    const counters: CounterFactory = (options) => {
      const limiter = memoryCounters(options) as RateLimiterMemory;
      limiters.set(options.name, limiter);
      return limiter;
    };
    const throttle = createAttemptThrottle(counters, 'client-auth', { ...policy, ipFailures: 3 });
    const subjects = limiters.get('client-auth-subject');
    if (!subjects) throw new Error('no subject counters');
    const subjectCalls = [vi.spyOn(subjects, 'penalty'), vi.spyOn(subjects, 'block')];
    for (let i = 0; i < 2; i += 1) await throttle.failed({ ip: attempt.ip });
    expect(await throttle.retryAfter({ ip: attempt.ip })).toBe(0);
    await throttle.failed({ ip: attempt.ip });

    expect(await throttle.retryAfter({ ip: attempt.ip })).toBe(policy.lockoutSeconds);
    // The same IP naming a real subject is refused too: it is one IP's count.
    expect(await throttle.retryAfter({ subject: 'app', ip: attempt.ip })).toBe(
      policy.lockoutSeconds,
    );
    expect(await throttle.retryAfter({ ip: '198.51.100.1' })).toBe(0);
    for (const calls of subjectCalls) expect(calls).not.toHaveBeenCalled();
  });

  it('forgets a subject’s failures after a success, but not the IP’s', async () => {
    const throttle = createAttemptThrottle(memoryCounters, 'login', { ...policy, ipFailures: 6 });
    for (let i = 0; i < 5; i += 1) await throttle.failed(attempt);
    await throttle.succeeded(attempt);
    await throttle.failed(attempt);
    expect(await throttle.retryAfter(attempt)).toBe(policy.lockoutSeconds);
    expect(await throttle.retryAfter({ ...attempt, ip: '198.51.100.1' })).toBe(0);
  });

  it('tells its observer of each failure, each lockout begun and each refusal', async () => {
    const seen: string[] = [];
    const observer = {
      failed: (tried: Attempt) => seen.push(`failed ${tried.subject}`),
      lockedOut: (by: string, tried: Attempt) => seen.push(`locked out by ${by} ${tried.ip}`),
      refused: (tried: Attempt) => seen.push(`refused ${tried.subject}`),
    };
    const limits = { ...policy, subjectFailures: 2, ipFailures: 3 };
    const throttle = createAttemptThrottle(memoryCounters, 'login', limits, observer);
    expect(await throttle.retryAfter(attempt)).toBe(0);
    await throttle.failed(attempt);
    await throttle.failed(attempt);
    expect(await throttle.retryAfter(attempt)).toBeGreaterThan(0);
    await throttle.failed({ ...attempt, subject: 'other@example.com' });

    expect(seen).toEqual([
      'failed someone@example.com',
      'failed someone@example.com',
      'locked out by subject 192.0.2.7',
      'refused someone@example.com',
      'failed other@example.com',
      'locked out by ip 192.0.2.7',
    ]);
  });

  it('fails closed with a 503 when the counters cannot be read', async () => {
    const broken: CounterFactory = (options) => {
      const limiter = memoryCounters(options);
      limiter.get = () => Promise.reject(new Error('store down'));
      return limiter;
    };
    const throttle = createAttemptThrottle(broken, 'login', policy);
    await expect(throttle.retryAfter(attempt)).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
