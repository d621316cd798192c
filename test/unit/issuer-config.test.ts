import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

const production = (issuer: string) =>
  loadConfig({ NODE_ENV: 'production', PORTCULLIS_ISSUER: issuer });

describe('the issuer in production', () => {
  it('refuses an http issuer on a public host, naming the setting', () => {
    expect(() => production('http://auth.example.com')).toThrow(ConfigError);
    expect(() => production('http://auth.example.com')).toThrow(/PORTCULLIS_ISSUER.*https/);
  });

  it('accepts https, and http on loopback', () => {
    for (const issuer of [
      'https://auth.example.com',
      'http://localhost:3000',
      'http://127.0.0.1:8080',
      'http://[::1]:3000',
    ]) {
      expect(production(issuer).issuer).toBe(issuer);
    }
  });

  it('accepts an http issuer outside production', () => {
    const config = loadConfig({ PORTCULLIS_ISSUER: 'http://auth.example.com' });
    expect(config.issuer).toBe('http://auth.example.com');
  });
});
