import type { Config } from '../config/schema.ts';
import type { Revocation } from '../domain/key-revocation.service.ts';

/**
 * What an emergency revocation did and what it breaks, in the words an operator needs at that
 * moment. Everything here follows from the revocation and the configuration; nothing is guessed.
 */
export function revocationReport(revocation: Revocation, config: Config) {
  const { jwksMaxAgeSeconds: maxAge, watchIntervalSeconds: watch } = config.keys;
  const signing = revocation.kind === 'signing_key';
  const replacement = revocation.replacement;
  const done = [
    `revoked ${signing ? `${revocation.family} signing key` : 'cookie key'} ${revocation.id} ` +
      `(was ${revocation.previousState}); its private key is destroyed.`,
    signing
      ? `It is no longer published in /jwks: running servers drop it at once (at most ${watch} s).`
      : `Running servers stop accepting it at once (at most ${watch} s).`,
  ];
  if (replacement) {
    done.push(
      replacement.publishedForSeconds > 0
        ? `Now signing with ${replacement.id}, published ${replacement.publishedForSeconds} s ago.`
        : `Now signing with ${replacement.id}, created just now: verifiers that cached /jwks ` +
            `before now fetch it when they first see its kid, or at the latest in ${maxAge} s.`,
    );
  }
  const breaks = signing
    ? [
        `Every ID token and JWT access token signed by ${revocation.id} stops verifying: holders ` +
          'must get new ones (sign in again, or use their refresh token; refresh tokens and ' +
          'sessions are not signed by this key and keep working).',
        `Resource servers that cached /jwks keep accepting tokens signed by it for up to ` +
          `${maxAge} s (the JWKS max-age) unless they are restarted or refetch.`,
        'Logout requests carrying an id_token_hint signed by it are refused.',
      ]
    : [
        'Every browser session and sign-in in progress whose cookie was signed by it ends: ' +
          'people sign in again. Tokens already issued are not affected.',
      ];
  return {
    human: [...done, 'What this breaks:', ...breaks.map((line) => `  - ${line}`)].join('\n'),
    json: {
      revoked: revocation.id,
      kind: revocation.kind,
      family: revocation.family,
      previous_state: revocation.previousState,
      replaced_by: replacement?.id ?? null,
      breaks,
    },
  };
}
