import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './load.ts';
import type { Config } from './schema.ts';

export interface Secrets {
  keyEncryptionKey: Buffer;
  cookieSecrets: string[];
}

interface GeneratedSecrets {
  keyEncryptionKey: string;
  cookieSecrets: string[];
}

/**
 * Secrets come from the environment. Outside production, a missing one is generated once into
 * `<dataDir>/secrets.json` (mode 0600) so that `npm start` works on a fresh machine; `onGenerated`
 * is told so the operator sees a warning.
 */
export function resolveSecrets(config: Config, onGenerated: (file: string) => void): Secrets {
  if (config.keyEncryptionKey && config.cookieSecrets) {
    return fromValues(config.keyEncryptionKey, config.cookieSecrets);
  }
  if (config.requireSecretsFromEnv) {
    const missing = [
      config.keyEncryptionKey ? undefined : 'keyEncryptionKey (PORTCULLIS_KEY_ENCRYPTION_KEY)',
      config.cookieSecrets ? undefined : 'cookieSecrets (PORTCULLIS_COOKIE_SECRETS)',
    ].filter((item): item is string => item !== undefined);
    throw new ConfigError(missing.map((key) => `${key}: is required in this environment`));
  }
  const file = join(config.dataDir, 'secrets.json');
  const generated = readOrCreate(file, onGenerated);
  return fromValues(
    config.keyEncryptionKey ?? generated.keyEncryptionKey,
    config.cookieSecrets ?? generated.cookieSecrets,
  );
}

function fromValues(keyEncryptionKey: string, cookieSecrets: string[]): Secrets {
  return { keyEncryptionKey: Buffer.from(keyEncryptionKey, 'base64'), cookieSecrets };
}

function readOrCreate(file: string, onGenerated: (file: string) => void): GeneratedSecrets {
  if (existsSync(file)) return readGenerated(file);
  const secrets: GeneratedSecrets = {
    keyEncryptionKey: randomBytes(32).toString('base64'),
    cookieSecrets: [randomBytes(32).toString('base64url')],
  };
  mkdirSync(join(file, '..'), { recursive: true });
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
  if (
    typeof keyEncryptionKey !== 'string' ||
    Buffer.from(keyEncryptionKey, 'base64').length !== 32 ||
    !Array.isArray(cookieSecrets) ||
    cookieSecrets.length === 0
  ) {
    throw new ConfigError([
      `${file}: is not a secrets file Portcullis wrote; restore it or set the secrets in the environment`,
    ]);
  }
  return { keyEncryptionKey, cookieSecrets };
}
