import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeKeyEncryptionKey } from './key-encryption-key.ts';
import { ConfigError, configProblem } from './load.ts';
import type { Config } from './schema.ts';

export interface Secrets {
  keyEncryptionKey: Buffer;
  /**
   * Cookie secrets from the environment. They only verify: the cookie keys that sign are
   * generated, rotated and shared through the database (see the key rotation service).
   */
  cookieSecrets: string[];
}

interface GeneratedSecrets {
  keyEncryptionKey: string;
  /** Written by earlier versions; still honoured for verification. */
  cookieSecrets?: string[];
}

/**
 * Secrets come from the environment. Outside production, a missing key-encryption key is
 * generated once into `<dataDir>/secrets.json` (mode 0600) so that `npm start` works on a fresh
 * machine; `onGenerated` is told so the operator sees a warning.
 */
export function resolveSecrets(config: Config, onGenerated: (file: string) => void): Secrets {
  if (config.keyEncryptionKey) {
    return fromValues(config.keyEncryptionKey, config.cookieSecrets ?? []);
  }
  if (config.requireSecretsFromEnv) {
    throw new ConfigError([configProblem(['keyEncryptionKey'], 'is required in this environment')]);
  }
  const generated = readOrCreate(join(config.dataDir, 'secrets.json'), onGenerated);
  return fromValues(
    generated.keyEncryptionKey,
    config.cookieSecrets ?? generated.cookieSecrets ?? [],
  );
}

/** Both sources were checked with decodeKeyEncryptionKey when they were read. */
function fromValues(keyEncryptionKey: string, cookieSecrets: string[]): Secrets {
  return { keyEncryptionKey: decodeKeyEncryptionKey(keyEncryptionKey) as Buffer, cookieSecrets };
}

function readOrCreate(file: string, onGenerated: (file: string) => void): GeneratedSecrets {
  if (existsSync(file)) return readGenerated(file);
  const secrets: GeneratedSecrets = { keyEncryptionKey: randomBytes(32).toString('base64') };
  // The data directory's mode, as embedded storage creates it (storage/private-data-dir.ts).
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  onGenerated(file);
  return secrets;
}

function readGenerated(file: string): GeneratedSecrets {
  let parsed: Partial<GeneratedSecrets> | undefined;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<GeneratedSecrets>;
  } catch {
    parsed = undefined;
  }
  const { keyEncryptionKey, cookieSecrets } = parsed ?? {};
  const validCookieSecrets =
    cookieSecrets === undefined ||
    (Array.isArray(cookieSecrets) && cookieSecrets.every((secret) => typeof secret === 'string'));
  if (
    typeof keyEncryptionKey !== 'string' ||
    decodeKeyEncryptionKey(keyEncryptionKey) === undefined ||
    !validCookieSecrets
  ) {
    throw new ConfigError([
      `${file}: is not a secrets file Portcullis wrote; restore it or set the secrets in the environment`,
    ]);
  }
  return cookieSecrets ? { keyEncryptionKey, cookieSecrets } : { keyEncryptionKey };
}
