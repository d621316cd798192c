import type { KeysConfig, TtlConfig } from './schema.ts';

/**
 * The rules that make key rotation invisible to everyone who verifies our tokens and cookies.
 * Each rule is a minimum for one setting; breaking one would make some valid token or cookie
 * fail somewhere, so the start refuses such settings instead of running with them.
 *
 * - A new key must be in every cache of /jwks before it signs: every instance publishes it within
 *   watchIntervalSeconds of its creation, a cache is at most jwksMaxAgeSeconds old.
 * - A retired key must stay published until every token it signed has expired: instances stop
 *   signing with it within watchIntervalSeconds, the last token lives the longest token TTL, and
 *   verifiers may check `exp` against a cache up to jwksMaxAgeSeconds old.
 * - A retired cookie key must keep verifying until the longest-lived cookie it signed (the
 *   session cookie) has expired.
 */
export interface KeyTimingProblem {
  path: string[];
  message: string;
}

interface TimingInput {
  keys: KeysConfig;
  ttl: TtlConfig;
}

function minimumLeadTime({ keys }: TimingInput): number {
  return keys.jwksMaxAgeSeconds + keys.watchIntervalSeconds + keys.marginSeconds;
}

function longestSignedTokenTtl({ ttl }: TimingInput): number {
  return Math.max(ttl.idToken, ttl.accessToken, ttl.clientCredentials);
}

function minimumRetention(input: TimingInput): number {
  const { keys } = input;
  return (
    longestSignedTokenTtl(input) +
    keys.jwksMaxAgeSeconds +
    keys.watchIntervalSeconds +
    keys.marginSeconds
  );
}

function minimumCookieRetention({ keys, ttl }: TimingInput): number {
  return ttl.session + keys.watchIntervalSeconds + keys.marginSeconds;
}

export function keyTimingProblems(input: TimingInput): KeyTimingProblem[] {
  const { keys } = input;
  const problems: KeyTimingProblem[] = [];
  const atLeast = (key: keyof KeysConfig, minimum: number, formula: string, why: string) => {
    const value = keys[key];
    if (typeof value === 'number' && value < minimum) {
      problems.push({
        path: ['keys', key],
        message: `must be at least ${minimum} (${formula}) ${why}; it is ${value}`,
      });
    }
  };
  atLeast(
    'leadTimeSeconds',
    minimumLeadTime(input),
    'jwksMaxAgeSeconds + watchIntervalSeconds + marginSeconds',
    'so that every cached JWKS holds a key before it signs',
  );
  atLeast(
    'retentionSeconds',
    minimumRetention(input),
    'longest of ttl.idToken/accessToken/clientCredentials + jwksMaxAgeSeconds + watchIntervalSeconds + marginSeconds',
    'so that a retired key stays published until every token it signed has expired',
  );
  atLeast(
    'cookieRetentionSeconds',
    minimumCookieRetention(input),
    'ttl.session + watchIntervalSeconds + marginSeconds',
    'so that a retired cookie key verifies sessions until they expire',
  );
  if (!keys.algorithms.includes('RS256')) {
    problems.push({
      path: ['keys', 'algorithms'],
      message: 'must include RS256 (OpenID Connect requires RS256 ID tokens to be available)',
    });
  }
  if (!keys.algorithms.includes(keys.signingAlgorithm)) {
    problems.push({
      path: ['keys', 'signingAlgorithm'],
      message: `must be one of keys.algorithms (${keys.algorithms.join(', ')})`,
    });
  }
  return problems;
}
