import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

const load = (env: Record<string, string>) => () => loadConfig({ NODE_ENV: 'test', ...env });

describe('key settings', () => {
  it('default to values that satisfy every timing rule', () => {
    const config = loadConfig({ NODE_ENV: 'production', PORTCULLIS_KEY_ENCRYPTION_KEY: '' });
    expect(config.keys.jwksMaxAgeSeconds).toBeLessThan(config.keys.leadTimeSeconds);
    expect(config.keys.algorithms).toEqual(['ES256', 'RS256']);
    expect(config.keys.signingAlgorithm).toBe('ES256');
  });

  it('refuse to start with a lead time that a cached JWKS could outlast, naming the variable', () => {
    const loading = load({
      PORTCULLIS_JWKS_MAX_AGE_SECONDS: '3600',
      PORTCULLIS_KEY_LEAD_TIME_SECONDS: '600',
    });
    expect(loading).toThrow(ConfigError);
    expect(loading).toThrow(
      /keys\.leadTimeSeconds \(PORTCULLIS_KEY_LEAD_TIME_SECONDS\): must be at least 3665 /,
    );
  });

  it('report every broken rule at once', () => {
    const loading = load({
      PORTCULLIS_KEY_RETENTION_SECONDS: '60',
      PORTCULLIS_COOKIE_KEY_RETENTION_SECONDS: '60',
      PORTCULLIS_SIGNING_ALGS: 'ES256,EdDSA',
    });
    expect(loading).toThrow(/keys\.retentionSeconds \(PORTCULLIS_KEY_RETENTION_SECONDS\)/);
    expect(loading).toThrow(
      /keys\.cookieRetentionSeconds \(PORTCULLIS_COOKIE_KEY_RETENTION_SECONDS\)/,
    );
    expect(loading).toThrow(/keys\.algorithms \(PORTCULLIS_SIGNING_ALGS\): must include RS256/);
  });

  it('take EdDSA by configuration', () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      PORTCULLIS_SIGNING_ALGS: 'EdDSA,RS256',
      PORTCULLIS_SIGNING_ALG: 'EdDSA',
    });
    expect(config.keys).toMatchObject({
      algorithms: ['EdDSA', 'RS256'],
      signingAlgorithm: 'EdDSA',
    });
  });
});
