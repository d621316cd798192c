import type { Config } from '../config/schema.ts';
import { explainKeyMismatch, type Secrets } from '../config/secrets.ts';
import { scheduleKeyRotation } from '../domain/key-rotation.job.ts';
import { createKeyRotationService } from '../domain/key-rotation.service.ts';
import { createKeySetLoader, type KeySet } from '../domain/key-set.service.ts';
import { createKeyWatcher } from '../domain/key-watcher.ts';
import type { Logger } from '../shared/logger.ts';
import type { DatabaseHandle } from '../storage/database.ts';
import { KEY_CHANGES_CHANNEL } from '../storage/key-changes.ts';

export interface KeysDeps {
  config: Config;
  database: DatabaseHandle;
  secrets: Secrets;
  logger: Logger;
  /** Listen for change notifications as well as polling (default); tests turn it off. */
  listen?: boolean;
}

/**
 * The keys of one instance: checked, brought up to date, then kept up to date. Part of the
 * composition root; `start` is called once whatever uses the keys (the Provider, the cookies)
 * has been built, so that no change can slip in between.
 */
export async function prepareKeys(deps: KeysDeps) {
  const { config, database, secrets, logger } = deps;
  const db = database.db;
  const kek = secrets.keyEncryptionKey;
  const rotation = createKeyRotationService({ db, kek, keys: config.keys });
  const keySets = createKeySetLoader({
    db,
    kek,
    algorithms: config.keys.algorithms,
    extraCookieSecrets: secrets.cookieSecrets,
  });
  // Open the stored keys before changing anything: with the wrong key-encryption key the start
  // stops here, and never creates keys that would sit beside ones nobody can open.
  await keySets.load().catch((error: unknown) => {
    throw explainKeyMismatch(secrets, error);
  });
  await rotation.tick('startup', { wait: true });
  const initial = await keySets.load();

  let stopJob = () => {};
  let listener: (keySet: KeySet) => void = () => {};
  const watcher = createKeyWatcher({
    keySets,
    initial,
    apply: (keySet) => listener(keySet),
    intervalMs: config.keys.watchIntervalSeconds * 1000,
    logger,
    ...(deps.listen === false
      ? {}
      : { subscribe: (onChange: () => void) => database.listen(KEY_CHANGES_CHANNEL, onChange) }),
  });

  return {
    rotation,
    watcher,
    async start(onChange: (keySet: KeySet) => void): Promise<void> {
      listener = onChange;
      await watcher.start();
      const intervalMs = config.keys.jobIntervalSeconds * 1000;
      stopJob = scheduleKeyRotation(rotation, intervalMs, logger, () => watcher.refresh());
    },
    async stop(): Promise<void> {
      stopJob();
      await watcher.stop();
    },
  };
}

export type KeysInForce = Awaited<ReturnType<typeof prepareKeys>>;
