import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PortcullisError } from '../shared/errors.ts';
import { envNameFor } from './env.ts';
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
  /** Where the key-encryption key came from, for messages that must say which one failed. */
  keyEncryptionKeySource: KeySource;
}

type KeySource =
  | { from: 'environment' }
  /** `generated`: the file did not exist, and this process wrote it with a new key. */
  | { from: 'file'; file: string; generated: boolean };

const KEK_VARIABLE = envNameFor(['keyEncryptionKey']) ?? 'the key-encryption key';

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
    return fromValues(config.keyEncryptionKey, config.cookieSecrets ?? [], { from: 'environment' });
  }
  if (config.requireSecretsFromEnv) {
    throw new ConfigError([configProblem(['keyEncryptionKey'], 'is required in this environment')]);
  }
  const file = resolve(config.dataDir, 'secrets.json');
  const existed = existsSync(file);
  const generated = existed ? readGenerated(file) : create(file, onGenerated);
  return fromValues(
    generated.keyEncryptionKey,
    config.cookieSecrets ?? generated.cookieSecrets ?? [],
    { from: 'file', file, generated: !existed },
  );
}

/**
 * The key-encryption key in use does not open the keys stored in the database: says which key
 * that was and where it was looked for. A key this process has just generated (the data directory
 * lost its secrets.json while the database kept its keys, as a development Postgres does) is
 * removed again, so that restoring the right file is all it takes. An error of another kind, or
 * a key from the environment (whose message already names the variable), is returned as it is.
 */
export function explainKeyMismatch(secrets: Secrets, error: unknown): unknown {
  const source = secrets.keyEncryptionKeySource;
  if (source.from !== 'file' || (error as { code?: unknown })?.code !== 'key_decryption_failed') {
    return error;
  }
  const advice =
    `restore the secrets.json they were made with into ${dirname(source.file)}, or set ` +
    `${KEK_VARIABLE} to their key. With DATABASE_URL the keys outlive the data directory: a ` +
    "development Postgres install's key-encryption key is in the data directory (./data) of the " +
    'checkout that first started it.';
  const message = source.generated
    ? `${KEK_VARIABLE} is not set and ${source.file} did not exist, so a new key-encryption key ` +
      'was generated, but the signing and cookie keys stored in the database were made under ' +
      `another one: ${advice} The generated file was removed again; no key was changed.`
    : `the key-encryption key in ${source.file} (read because ${KEK_VARIABLE} is not set) does ` +
      `not decrypt the signing and cookie keys stored in the database: ${advice} No key was changed.`;
  if (source.generated) rmSync(source.file, { force: true });
  return new PortcullisError('key_decryption_failed', message, 500, { cause: error });
}

/** Both sources were checked with decodeKeyEncryptionKey when they were read. */
function fromValues(
  keyEncryptionKey: string,
  cookieSecrets: string[],
  keyEncryptionKeySource: KeySource,
): Secrets {
  return {
    keyEncryptionKey: decodeKeyEncryptionKey(keyEncryptionKey) as Buffer,
    cookieSecrets,
    keyEncryptionKeySource,
  };
}

function create(file: string, onGenerated: (file: string) => void): GeneratedSecrets {
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
