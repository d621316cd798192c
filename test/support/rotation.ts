import type { ResourceServerLookup } from '../../src/oidc/resource-indicators.ts';

export const API = 'https://api.example.test';

/** One API with JWT access tokens: enough for client credentials to yield signed tokens. */
export const testResourceServers: ResourceServerLookup = (indicator) =>
  indicator === API ? { scope: 'api:read', accessTokenFormat: 'jwt' } : undefined;

/**
 * Key timing compressed to seconds, at the limits the timing rules allow: a key is published
 * 3 s before it signs (JWKS max-age 1 s + watch 1 s + margin 1 s), signs for 4 s, and stays
 * published 6 s after (tokens live 3 s).
 */
export const COMPRESSED_KEYS = {
  keys: {
    rotationIntervalSeconds: 4,
    leadTimeSeconds: 3,
    retentionSeconds: 6,
    cookieRetentionSeconds: 62,
    jwksMaxAgeSeconds: 1,
    jobIntervalSeconds: 1,
    watchIntervalSeconds: 1,
    marginSeconds: 1,
  },
  ttl: { idToken: 3, accessToken: 3, clientCredentials: 3, session: 60 },
};

/** The same, except that keys only rotate when asked to (keys rotate). */
export const ON_REQUEST_KEYS = {
  ...COMPRESSED_KEYS,
  keys: { ...COMPRESSED_KEYS.keys, rotationIntervalSeconds: 3600 },
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
