import type { KeysConfig } from '../../src/config/schema.ts';

/** The default key settings (config/default.json), for tests that build services directly. */
export const DEFAULT_KEYS: KeysConfig = {
  signingAlgorithm: 'ES256',
  algorithms: ['ES256', 'RS256'],
  rotationIntervalSeconds: 2592000,
  leadTimeSeconds: 86400,
  retentionSeconds: 604800,
  cookieRetentionSeconds: 1296000,
  jwksMaxAgeSeconds: 600,
  jobIntervalSeconds: 60,
  watchIntervalSeconds: 5,
  marginSeconds: 60,
};

/** A clock the test moves by hand, in the shape the rotation service takes. */
export function manualClock(start = new Date()) {
  let now = start.getTime();
  return {
    now: async () => new Date(now),
    advance(seconds: number) {
      now += seconds * 1000;
    },
  };
}
