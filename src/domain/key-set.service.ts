import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { DomainError } from '../shared/errors.ts';
import {
  type CookieKeyRow,
  listLiveCookieKeyStates,
  listLiveCookieKeys,
} from '../storage/cookie-keys.repository.ts';
import type { Database, KeyState } from '../storage/schema.ts';
import {
  listPublishedSigningKeyStates,
  listPublishedSigningKeys,
  type SigningKeyRow,
} from '../storage/signing-keys.repository.ts';
import { cookieKeyContext } from './cookie-keys.service.ts';
import { decryptWithKek } from './key-encryption.ts';
import type { PrivateSigningJwk, PublicSigningJwk } from './signing-keys.service.ts';

/** Everything an instance signs and verifies with, as of one reading of the key tables. */
export interface KeySet {
  /** Changes whenever a key is created or changes state; equal key tables, equal versions. */
  version: string;
  /**
   * For oidc-provider: per algorithm, the current key first and every other published key after
   * it marked `key_ops: ['verify']`. Only the configured algorithms.
   */
  providerJwks: PrivateSigningJwk[];
  /** What /jwks publishes: next, current and retired keys, of every algorithm. */
  publishedJwks: PublicSigningJwk[];
  /** Cookie and CSRF secrets: the current key first (it signs), then every one that verifies. */
  cookieSecrets: string[];
  /** The keys that sign now, one per algorithm, and since when (for the key-age metric). */
  signing: SigningKeyInForce[];
}

export interface SigningKeyInForce {
  kid: string;
  alg: string;
  signingSince: Date;
}

export interface KeySetDeps {
  db: Kysely<Database>;
  kek: Buffer;
  algorithms: readonly string[];
  /** PORTCULLIS_COOKIE_SECRETS: accepted when verifying, never used to sign. */
  extraCookieSecrets: readonly string[];
}

const RANK: Record<KeyState, number> = { current: 0, next: 1, retired: 2, removed: 3, revoked: 3 };

/** Current first, then next, then retired newest first. */
const byRole = <T extends { state: KeyState; created_at: Date }>(a: T, b: T) =>
  RANK[a.state] - RANK[b.state] || b.created_at.getTime() - a.created_at.getTime();

function versionOf(entries: string[]): string {
  return createHash('sha256').update(entries.sort().join('\n')).digest('base64url');
}

function publishedJwk(row: SigningKeyRow): PublicSigningJwk {
  return { ...(row.public_jwk as JWK), kid: row.kid, alg: row.alg, use: 'sig' };
}

function sealed(value: string | null, id: string): string {
  if (value === null) throw new DomainError('key_missing', `key ${id} has no private part`, 500);
  return value;
}

export function createKeySetLoader(deps: KeySetDeps) {
  const { db, kek } = deps;

  const providerJwk = (row: SigningKeyRow): PrivateSigningJwk => {
    const jwk = JSON.parse(
      decryptWithKek(kek, sealed(row.private_jwk_encrypted, row.kid), row.kid),
    );
    return row.state === 'current' ? jwk : { ...jwk, key_ops: ['verify'] };
  };
  const cookieSecret = (row: CookieKeyRow) =>
    decryptWithKek(kek, sealed(row.secret_encrypted, row.id), cookieKeyContext(row.id));

  return {
    /** A cheap reading that tells whether `load()` would return another key set. */
    async version(): Promise<string> {
      const [signing, cookies] = await Promise.all([
        listPublishedSigningKeyStates(db),
        listLiveCookieKeyStates(db),
      ]);
      return versionOf([
        ...signing.map((row) => `${row.kid}:${row.state}`),
        ...cookies.map((row) => `${row.id}:${row.state}`),
      ]);
    },

    /** Reads and decrypts every live key; fails if the key-encryption key does not open them. */
    async load(): Promise<KeySet> {
      const [signing, cookies] = await Promise.all([
        listPublishedSigningKeys(db),
        listLiveCookieKeys(db),
      ]);
      signing.sort(byRole);
      cookies.sort(byRole);
      const secrets = cookies.map(cookieSecret);
      return {
        version: versionOf([
          ...signing.map((row) => `${row.kid}:${row.state}`),
          ...cookies.map((row) => `${row.id}:${row.state}`),
        ]),
        providerJwks: signing.filter((row) => deps.algorithms.includes(row.alg)).map(providerJwk),
        publishedJwks: signing.map(publishedJwk),
        cookieSecrets: [...new Set([...secrets, ...deps.extraCookieSecrets])],
        signing: signing
          .filter((row) => row.state === 'current')
          .map((row) => ({
            kid: row.kid,
            alg: row.alg,
            // Set whenever a key becomes current; nullable only for the other states.
            signingSince: row.activated_at ?? row.created_at,
          })),
      };
    },
  };
}

export type KeySetLoader = ReturnType<typeof createKeySetLoader>;
