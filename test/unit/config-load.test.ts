import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

const configErrorOf = (load: () => unknown): ConfigError => {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  return expect.fail('the configuration was accepted');
};

describe('loadConfig', () => {
  it('loads the shipped defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 3000,
      host: '0.0.0.0',
      dataDir: './data',
      migrateOnStart: true,
      requireSecretsFromEnv: false,
    });
    expect(config.ttl.authorizationCode).toBe(60);
    expect(config.databaseUrl).toBeUndefined();
  });

  it('layers config/<env>.json over the defaults', () => {
    const config = loadConfig({ NODE_ENV: 'production' });
    expect(config.env).toBe('production');
    expect(config.requireSecretsFromEnv).toBe(true);
    expect(config.port).toBe(3000);
  });

  it('lets the environment override the files, and overrides the environment', () => {
    const env = { NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: '8080', HOST: '127.0.0.1' };
    expect(loadConfig(env)).toMatchObject({ logLevel: 'warn', port: 8080, host: '127.0.0.1' });
    expect(loadConfig(env, { port: 9090 }).port).toBe(9090);
  });

  it('serves no metrics and drains for 10 seconds unless told otherwise', () => {
    const config = loadConfig({});
    expect(config.metricsPort).toBeUndefined();
    expect(config.metricsHost).toBe('127.0.0.1');
    expect(config.shutdownTimeoutSeconds).toBe(10);
    const set = loadConfig({
      PORTCULLIS_METRICS_PORT: '9464',
      PORTCULLIS_METRICS_HOST: '10.0.0.5',
      PORTCULLIS_SHUTDOWN_TIMEOUT_SECONDS: '2.5',
    });
    expect(set).toMatchObject({ metricsPort: 9464, metricsHost: '10.0.0.5' });
    expect(set.shutdownTimeoutSeconds).toBe(2.5);
  });

  it('refuses a metrics port that is the public port', () => {
    const error = configErrorOf(() =>
      loadConfig({ PORT: '8080', PORTCULLIS_METRICS_PORT: '8080' }),
    );
    expect(error.problems).toEqual([
      'metricsPort (PORTCULLIS_METRICS_PORT): must differ from port: metrics are never served on the public listener',
    ]);
    expect(() => loadConfig({ PORT: '0', PORTCULLIS_METRICS_PORT: '0' })).not.toThrow();
  });

  it('ignores environment variables that are set but empty', () => {
    expect(loadConfig({ PORT: '', PORTCULLIS_ISSUER: '  ' })).toMatchObject({ port: 3000 });
  });

  it('reads booleans from the environment', () => {
    const config = loadConfig({ PORTCULLIS_TRUST_PROXY: 'true', PORTCULLIS_MIGRATE_ON_START: '0' });
    expect(config.trustProxy).toBe(true);
    expect(config.migrateOnStart).toBe(false);
  });

  it('reads a comma-separated list of cookie secrets from the environment', () => {
    const [a, b] = ['a'.repeat(32), 'b'.repeat(32)];
    const config = loadConfig({ PORTCULLIS_COOKIE_SECRETS: `${a}, ${b}` });
    expect(config.cookieSecrets).toEqual([a, b]);
  });

  it('reports every bad setting in one error that names the key and its variable', () => {
    const error = configErrorOf(() =>
      loadConfig({
        PORT: 'eighty',
        PORTCULLIS_ISSUER: 'not a url',
        PORTCULLIS_TRUST_PROXY: 'maybe',
      }),
    );
    expect(error.problems).toHaveLength(3);
    expect(error.message).toContain('port (PORT)');
    expect(error.message).toContain('issuer (PORTCULLIS_ISSUER)');
    expect(error.message).toContain('trustProxy (PORTCULLIS_TRUST_PROXY)');
  });

  it('rejects an issuer with a query string', () => {
    const error = configErrorOf(() =>
      loadConfig({ PORTCULLIS_ISSUER: 'https://id.example.com/?a=b' }),
    );
    expect(error.message).toContain('issuer (PORTCULLIS_ISSUER)');
  });

  it('rejects unknown keys, also nested ones', () => {
    expect(configErrorOf(() => loadConfig({}, { prot: 3000 })).message).toContain('prot');
    const nested = configErrorOf(() => loadConfig({}, { ttl: { acessToken: 60 } }));
    expect(nested.message).toContain('acessToken');
  });

  it('rejects a NODE_ENV it has no settings for', () => {
    const error = configErrorOf(() => loadConfig({ NODE_ENV: 'staging' }));
    expect(error.message).toContain('env (NODE_ENV)');
  });
});
