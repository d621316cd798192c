import type { KeyState } from '../storage/schema.ts';

/**
 * The lifecycle every rotating key follows, signing or cookie: next (published, does not sign)
 * → current (signs) → retired (published, does not sign) → removed. This file only decides what
 * is due; it does no I/O, so the whole schedule is tested with a fake clock.
 */
export interface LifecycleKey {
  id: string;
  state: KeyState;
  createdAt: Date;
  promoteAt: Date | null;
  activatedAt: Date | null;
  retiredAt: Date | null;
}

export interface LifecyclePolicy {
  /** How long a key signs before its successor takes over. */
  rotationIntervalMs: number;
  /** How long a key is published before it may sign. Never shortened, not even by an operator. */
  leadTimeMs: number;
  /** How long a retired key stays published. */
  retentionMs: number;
}

export type LifecycleStep =
  | { kind: 'create'; state: 'current' | 'next'; promoteAt: Date | null }
  | { kind: 'activate'; id: string }
  | { kind: 'retire'; id: string }
  | { kind: 'remove'; id: string };

const at = (date: Date, plusMs: number) => new Date(date.getTime() + plusMs);
const latest = (...dates: Date[]) => new Date(Math.max(...dates.map((date) => date.getTime())));

/**
 * What is due now for one family of keys (one algorithm, or the cookie keys). A family that is no
 * longer configured (`enabled` false) stops signing: its keys retire and later disappear.
 */
export function planLifecycle(
  keys: readonly LifecycleKey[],
  policy: LifecyclePolicy,
  now: Date,
  enabled = true,
): LifecycleStep[] {
  const current = keys.find((key) => key.state === 'current');
  const next = keys.find((key) => key.state === 'next');
  const steps = enabled ? planSigner(current, next, policy, now) : retireAll(current, next);
  return [...steps, ...planRemovals(keys, policy, now)];
}

function planSigner(
  current: LifecycleKey | undefined,
  next: LifecycleKey | undefined,
  policy: LifecyclePolicy,
  now: Date,
): LifecycleStep[] {
  // Nothing signs yet (first start, or after an emergency without a successor): act at once,
  // preferring a key that is already published.
  if (!current) {
    return next
      ? [{ kind: 'activate', id: next.id }]
      : [{ kind: 'create', state: 'current', promoteAt: null }];
  }
  const rotationDue = at(current.activatedAt ?? current.createdAt, policy.rotationIntervalMs);
  if (!next) {
    if (now < at(rotationDue, -policy.leadTimeMs)) return [];
    const earliest = at(now, policy.leadTimeMs);
    return [{ kind: 'create', state: 'next', promoteAt: latest(rotationDue, earliest) }];
  }
  const published = now >= at(next.createdAt, policy.leadTimeMs);
  const due = now >= (next.promoteAt ?? rotationDue);
  return published && due
    ? [
        { kind: 'retire', id: current.id },
        { kind: 'activate', id: next.id },
      ]
    : [];
}

function retireAll(...keys: (LifecycleKey | undefined)[]): LifecycleStep[] {
  return keys.flatMap((key) => (key ? [{ kind: 'retire' as const, id: key.id }] : []));
}

function planRemovals(
  keys: readonly LifecycleKey[],
  policy: LifecyclePolicy,
  now: Date,
): LifecycleStep[] {
  return keys
    .filter((key) => key.state === 'retired')
    .filter((key) => now >= at(key.retiredAt ?? key.createdAt, policy.retentionMs))
    .map((key) => ({ kind: 'remove', id: key.id }));
}
