import type { CounterFactory } from '../storage/attempt-counters.ts';
import {
  type AttemptObserver,
  type AttemptThrottle,
  createAttemptThrottle,
  throttlePolicy,
} from './attempt-throttle.ts';

/**
 * The throttle of failed sign-ins, built the same way by the server (which counts failures) and
 * by `portcullis users unlock` (which lifts a lockout): both must read the same counters. After
 * three free failures, each further one makes the next wait longer (attempt-throttle.ts).
 */
export function createLoginThrottle(
  counters: CounterFactory,
  settings: { maxFailures: number; maxFailuresPerIp: number; lockoutSeconds: number },
  observer?: AttemptObserver,
): AttemptThrottle {
  return createAttemptThrottle(
    counters,
    'login',
    { ...throttlePolicy(settings), freeFailures: 3 },
    observer,
  );
}

/** Whose failures a sign-in counts: the address as typed, whether or not an account has it. */
export const loginSubject = (email: string) => email.trim().toLowerCase();
