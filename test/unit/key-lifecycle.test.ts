import { describe, expect, it } from 'vitest';
import { type LifecycleKey, planLifecycle } from '../../src/domain/key-lifecycle.ts';

const HOUR = 3_600_000;
const policy = {
  rotationIntervalMs: 30 * 24 * HOUR,
  leadTimeMs: 24 * HOUR,
  retentionMs: 48 * HOUR,
};
const t0 = new Date('2027-01-01T00:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

const key = (id: string, state: LifecycleKey['state'], fields: Partial<LifecycleKey> = {}) => ({
  id,
  state,
  createdAt: t0,
  promoteAt: null,
  activatedAt: state === 'current' ? t0 : null,
  retiredAt: null,
  ...fields,
});

describe('the key lifecycle plan', () => {
  it('creates a signing key at once for a family that has none', () => {
    expect(planLifecycle([], policy, t0)).toEqual([
      { kind: 'create', state: 'current', promoteAt: null },
    ]);
  });

  it('lets a published next key sign at once when no key signs', () => {
    expect(planLifecycle([key('n', 'next')], policy, t0)).toEqual([{ kind: 'activate', id: 'n' }]);
  });

  it('does nothing while the current key is young', () => {
    const justBeforeLead = at(policy.rotationIntervalMs - policy.leadTimeMs - 1);
    expect(planLifecycle([key('c', 'current')], policy, justBeforeLead)).toEqual([]);
  });

  it('publishes the next key one lead time before the rotation is due, to sign when it is', () => {
    const leadBefore = at(policy.rotationIntervalMs - policy.leadTimeMs);
    expect(planLifecycle([key('c', 'current')], policy, leadBefore)).toEqual([
      { kind: 'create', state: 'next', promoteAt: at(policy.rotationIntervalMs) },
    ]);
  });

  it('gives a next key created late (the job was down) a full lead time before it signs', () => {
    const late = at(policy.rotationIntervalMs + HOUR);
    expect(planLifecycle([key('c', 'current')], policy, late)).toEqual([
      { kind: 'create', state: 'next', promoteAt: new Date(late.getTime() + policy.leadTimeMs) },
    ]);
  });

  it('never promotes a next key published for less than the lead time, even if asked to', () => {
    const asked = key('n', 'next', { createdAt: at(HOUR), promoteAt: at(HOUR) });
    const keys = [key('c', 'current'), asked];
    expect(planLifecycle(keys, policy, at(HOUR + policy.leadTimeMs - 1))).toEqual([]);
    expect(planLifecycle(keys, policy, at(HOUR + policy.leadTimeMs))).toEqual([
      { kind: 'retire', id: 'c' },
      { kind: 'activate', id: 'n' },
    ]);
  });

  it('retires the current key and promotes the next one when the rotation is due', () => {
    const due = at(policy.rotationIntervalMs);
    const next = key('n', 'next', { createdAt: at(HOUR), promoteAt: due });
    expect(planLifecycle([key('c', 'current'), next], policy, new Date(due.getTime() - 1))).toEqual(
      [],
    );
    expect(planLifecycle([key('c', 'current'), next], policy, due)).toEqual([
      { kind: 'retire', id: 'c' },
      { kind: 'activate', id: 'n' },
    ]);
  });

  it('removes a retired key once its retention has passed, not before', () => {
    const retired = key('r', 'retired', { retiredAt: t0 });
    const keys = [key('c', 'current'), retired];
    expect(planLifecycle(keys, policy, at(policy.retentionMs - 1))).toEqual([]);
    expect(planLifecycle(keys, policy, at(policy.retentionMs))).toEqual([
      { kind: 'remove', id: 'r' },
    ]);
  });

  it('retires every signing key of a family that is no longer configured', () => {
    const keys = [key('c', 'current'), key('n', 'next')];
    expect(planLifecycle(keys, policy, t0, false)).toEqual([
      { kind: 'retire', id: 'c' },
      { kind: 'retire', id: 'n' },
    ]);
  });
});
