import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeySet } from '../../src/domain/key-set.service.ts';
import { createKeyWatcher } from '../../src/domain/key-watcher.ts';
import { createLogger } from '../../src/shared/logger.ts';

const keySet = (version: string): KeySet => ({
  version,
  providerJwks: [],
  publishedJwks: [],
  cookieSecrets: [version],
  signing: [],
});

function fakeKeyTables(initial: string) {
  let version = initial;
  return {
    set: (next: string) => {
      version = next;
    },
    version: vi.fn(async () => version),
    load: vi.fn(async () => keySet(version)),
  };
}

describe('the key watcher', () => {
  const logger = createLogger('silent');
  afterEach(() => {
    vi.useRealTimers();
  });

  it('puts a changed key set in force once, and loads nothing while nothing changes', async () => {
    const tables = fakeKeyTables('v1');
    const apply = vi.fn();
    const watcher = createKeyWatcher({
      keySets: tables,
      initial: keySet('v1'),
      apply,
      intervalMs: 1000,
      logger,
    });
    await watcher.refresh();
    expect(tables.load).not.toHaveBeenCalled();

    tables.set('v2');
    await Promise.all([watcher.refresh(), watcher.refresh(), watcher.refresh()]);
    expect(apply).toHaveBeenCalledExactlyOnceWith(keySet('v2'));
    expect(watcher.current.version).toBe('v2');
  });

  it('notices a change by polling within its interval when nothing notifies it', async () => {
    vi.useFakeTimers();
    const tables = fakeKeyTables('v1');
    const apply = vi.fn();
    const watcher = createKeyWatcher({
      keySets: tables,
      initial: keySet('v1'),
      apply,
      intervalMs: 1000,
      logger,
    });
    await watcher.start();
    tables.set('v2');
    await vi.advanceTimersByTimeAsync(999);
    expect(apply).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(apply).toHaveBeenCalledExactlyOnceWith(keySet('v2'));
    await watcher.stop();
  });

  it('checks at once when notified, and keeps polling if notifications are unavailable', async () => {
    const tables = fakeKeyTables('v1');
    let notify = () => {};
    const apply = vi.fn();
    const watcher = createKeyWatcher({
      keySets: tables,
      initial: keySet('v1'),
      apply,
      intervalMs: 60_000,
      logger,
      subscribe: async (onChange) => {
        notify = onChange;
        return async () => {};
      },
    });
    await watcher.start();
    tables.set('v2');
    notify();
    await vi.waitFor(() => expect(apply).toHaveBeenCalledWith(keySet('v2')));
    await watcher.stop();

    const failing = createKeyWatcher({
      keySets: tables,
      initial: keySet('v2'),
      apply,
      intervalMs: 60_000,
      logger,
      subscribe: () => Promise.reject(new Error('no LISTEN here')),
    });
    await expect(failing.start()).resolves.toBeUndefined();
    await failing.stop();
  });
});
