import { describe, expect, it } from 'vitest';
import { keyTimingProblems } from '../../src/config/key-timing.ts';
import type { KeysConfig, TtlConfig } from '../../src/config/schema.ts';
import { DEFAULT_KEYS } from '../support/keys.ts';

const ttl: TtlConfig = {
  accessToken: 3600,
  clientCredentials: 600,
  idToken: 3600,
  authorizationCode: 60,
  refreshToken: 1209600,
  refreshTokenAbsolute: 7776000,
  publicRefreshToken: 86400,
  publicRefreshTokenAbsolute: 604800,
  session: 1209600,
  sessionIdle: 86400,
  interaction: 3600,
  grant: 1209600,
};
const keys: KeysConfig = DEFAULT_KEYS;
const problemsWith = (overrides: Partial<KeysConfig>, ttlOverrides: Partial<TtlConfig> = {}) =>
  keyTimingProblems({ keys: { ...keys, ...overrides }, ttl: { ...ttl, ...ttlOverrides } });

describe('key timing rules', () => {
  it('accept the defaults', () => {
    expect(problemsWith({})).toEqual([]);
  });

  it('refuse a lead time not longer than the JWKS max-age plus polling and margin', () => {
    expect(problemsWith({ leadTimeSeconds: 664 })).toEqual([
      {
        path: ['keys', 'leadTimeSeconds'],
        message: expect.stringMatching(/^must be at least 665 .*cached JWKS.*; it is 664$/),
      },
    ]);
    expect(problemsWith({ leadTimeSeconds: 665 })).toEqual([]);
  });

  it('refuse a retention shorter than the longest signed token plus max-age, polling and margin', () => {
    expect(problemsWith({ retentionSeconds: 4000 }, { idToken: 7200 })).toEqual([
      {
        path: ['keys', 'retentionSeconds'],
        message: expect.stringMatching(/^must be at least 7865 /),
      },
    ]);
  });

  it('refuse a cookie key retention shorter than a session', () => {
    expect(problemsWith({ cookieRetentionSeconds: 1209600 })).toEqual([
      {
        path: ['keys', 'cookieRetentionSeconds'],
        message: expect.stringMatching(/^must be at least 1209665 /),
      },
    ]);
  });

  it('refuse a key set without RS256 and a signing algorithm without keys', () => {
    const problems = problemsWith({ algorithms: ['ES256'], signingAlgorithm: 'EdDSA' });
    expect(problems.map((problem) => problem.path.join('.'))).toEqual([
      'keys.algorithms',
      'keys.signingAlgorithm',
    ]);
  });
});
