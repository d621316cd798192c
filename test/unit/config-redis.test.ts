import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

describe('Redis and refresh-token settings', () => {
  it('uses no Redis, the portcullis: prefix and a few seconds of grace by default', () => {
    const config = loadConfig({});
    expect(config.redisUrl).toBeUndefined();
    expect(config.redisKeyPrefix).toBe('portcullis:');
    expect(config.refreshTokenReuseGraceSeconds).toBeGreaterThan(0);
    expect(config.refreshTokenReuseGraceSeconds).toBeLessThanOrEqual(10);
  });

  it('reads them from the environment; a grace of 0 disables the window', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss://cache.internal:6380/2',
      REDIS_KEY_PREFIX: 'auth:',
      PORTCULLIS_REFRESH_TOKEN_REUSE_GRACE_SECONDS: '0',
    });
    expect(config).toMatchObject({
      redisUrl: 'rediss://cache.internal:6380/2',
      redisKeyPrefix: 'auth:',
      refreshTokenReuseGraceSeconds: 0,
    });
  });

  it('names every bad one: a non-Redis URL, an empty prefix, a negative grace', () => {
    const load = () =>
      loadConfig(
        { REDIS_URL: 'http://cache:6379' },
        {
          redisKeyPrefix: '',
          refreshTokenReuseGraceSeconds: -1,
        },
      );
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/redisUrl \(REDIS_URL\)/);
    expect(load).toThrow(/redisKeyPrefix \(REDIS_KEY_PREFIX\)/);
    expect(load).toThrow(
      /refreshTokenReuseGraceSeconds \(PORTCULLIS_REFRESH_TOKEN_REUSE_GRACE_SECONDS\)/,
    );
  });
});
