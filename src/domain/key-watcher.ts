import type { Logger } from '../shared/logger.ts';
import type { KeySet, KeySetLoader } from './key-set.service.ts';

type Unsubscribe = () => Promise<void>;

export interface KeyWatcherDeps {
  keySets: Pick<KeySetLoader, 'version' | 'load'>;
  initial: KeySet;
  /** Puts a new key set in force (a rebuilt Provider, new cookie keys). */
  apply: (keySet: KeySet) => void;
  intervalMs: number;
  logger: Logger;
  /** Change notifications (Postgres LISTEN), when the database offers them; polling remains. */
  subscribe?: (onChange: () => void) => Promise<Unsubscribe>;
}

/**
 * Keeps this instance on the keys in the database. A cheap version query runs every interval
 * (and whenever a notification arrives); only when it differs is the key set decrypted and put in
 * force. Checks never overlap: one that is asked for while another runs happens right after it.
 */
export function createKeyWatcher(deps: KeyWatcherDeps) {
  let applied = deps.initial;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: Unsubscribe | undefined;

  async function check(): Promise<void> {
    if ((await deps.keySets.version()) === applied.version) return;
    const keySet = await deps.keySets.load();
    if (keySet.version === applied.version) return;
    deps.apply(keySet);
    deps.logger.info(
      { signing: keySet.providerJwks.filter((jwk) => !jwk.key_ops).map((jwk) => jwk.kid) },
      'keys changed; now signing with the new key set',
    );
    applied = keySet;
  }

  function refresh(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await check();
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  const refreshQuietly = () => {
    refresh().catch((err: unknown) => deps.logger.warn({ err }, 'checking for key changes failed'));
  };

  return {
    get current(): KeySet {
      return applied;
    },
    /** Checks now; resolves once this instance is on the keys the database holds. */
    refresh,
    async start(): Promise<void> {
      timer = setInterval(refreshQuietly, deps.intervalMs);
      timer.unref();
      try {
        unsubscribe = await deps.subscribe?.(refreshQuietly);
      } catch (err) {
        deps.logger.warn({ err }, 'no key change notifications; polling only');
      }
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await unsubscribe?.();
      await running?.catch(() => {});
    },
  };
}

export type KeyWatcher = ReturnType<typeof createKeyWatcher>;
