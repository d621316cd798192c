import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { resolveSecrets } from '../../src/config/secrets.ts';
import { makeTempDir, type TempDir } from '../support/temp-dir.ts';

const KEK = Buffer.alloc(32, 7).toString('base64');
const COOKIE_SECRET = 'c'.repeat(32);

describe('resolveSecrets', () => {
  let dir: TempDir;
  beforeEach(() => {
    dir = makeTempDir('portcullis-secrets-');
  });
  afterEach(() => dir.remove());

  const configWith = (overrides: Record<string, unknown> = {}) =>
    loadConfig({ NODE_ENV: 'test' }, { dataDir: join(dir.path, 'data'), ...overrides });

  it('generates the key-encryption key once into dataDir/secrets.json, readable by the owner only', () => {
    const onGenerated = vi.fn();
    const first = resolveSecrets(configWith(), onGenerated);

    const file = join(dir.path, 'data', 'secrets.json');
    expect(onGenerated).toHaveBeenCalledExactlyOnceWith(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.keyEncryptionKey).toHaveLength(32);
    // Cookie keys are generated and rotated in the database; none is needed from here.
    expect(first.cookieSecrets).toEqual([]);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      keyEncryptionKey: first.keyEncryptionKey.toString('base64'),
    });

    expect(first.keyEncryptionKeySource).toEqual({ from: 'file', file, generated: true });

    const second = resolveSecrets(configWith(), onGenerated);
    expect(second.keyEncryptionKey).toEqual(first.keyEncryptionKey);
    expect(second.keyEncryptionKeySource).toEqual({ from: 'file', file, generated: false });
    expect(onGenerated).toHaveBeenCalledTimes(1);
  });

  it('refuses a damaged secrets file with a ConfigError instead of generating new secrets', () => {
    resolveSecrets(configWith(), () => {});
    const file = join(dir.path, 'data', 'secrets.json');
    writeFileSync(file, '{"keyEncryptionKey": "short"');
    expect(() => resolveSecrets(configWith(), () => {})).toThrow(ConfigError);
    expect(() => resolveSecrets(configWith(), () => {})).toThrow(/secrets\.json/);
    expect(readFileSync(file, 'utf8')).toBe('{"keyEncryptionKey": "short"');
  });

  it('uses the secrets from the environment and writes nothing when both are set', () => {
    const onGenerated = vi.fn();
    const secrets = resolveSecrets(
      configWith({ keyEncryptionKey: KEK, cookieSecrets: [COOKIE_SECRET] }),
      onGenerated,
    );
    expect(secrets.keyEncryptionKey.equals(Buffer.from(KEK, 'base64'))).toBe(true);
    expect(secrets.cookieSecrets).toEqual([COOKIE_SECRET]);
    expect(onGenerated).not.toHaveBeenCalled();
    expect(existsSync(join(dir.path, 'data', 'secrets.json'))).toBe(false);
  });

  it('prefers a key-encryption key from the environment over a generated one', () => {
    resolveSecrets(configWith(), () => {});
    const secrets = resolveSecrets(configWith({ keyEncryptionKey: KEK }), () => {});
    expect(secrets.keyEncryptionKey.equals(Buffer.from(KEK, 'base64'))).toBe(true);
  });

  it('still reads the cookie secrets an earlier version generated, to verify old cookies', () => {
    const file = join(dir.path, 'data', 'secrets.json');
    resolveSecrets(configWith(), () => {});
    const written = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...written, cookieSecrets: [COOKIE_SECRET] }));
    expect(resolveSecrets(configWith(), () => {}).cookieSecrets).toEqual([COOKIE_SECRET]);
  });

  it('refuses to generate a key-encryption key where it must come from the environment', () => {
    const onGenerated = vi.fn();
    const resolve = () => resolveSecrets(configWith({ requireSecretsFromEnv: true }), onGenerated);
    expect(resolve).toThrow(ConfigError);
    expect(resolve).toThrow(/PORTCULLIS_KEY_ENCRYPTION_KEY/);
    expect(onGenerated).not.toHaveBeenCalled();
    expect(existsSync(join(dir.path, 'data'))).toBe(false);
    expect(() =>
      resolveSecrets(configWith({ requireSecretsFromEnv: true, keyEncryptionKey: KEK }), () => {}),
    ).not.toThrow();
  });
});
