import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF tokens for the interaction forms, derived from the interaction id with a server secret:
 * stateless, valid in every tab of the same interaction, useless for any other interaction.
 * `secrets` is read on every use, so that it follows cookie key rotation: the first secret
 * issues, every secret verifies (a form rendered before a rotation still posts after it).
 */
export function createCsrf(secrets: () => readonly string[]) {
  const tokenWith = (secret: string, interactionUid: string) =>
    createHmac('sha256', secret).update(`portcullis.csrf.${interactionUid}`).digest('base64url');
  return {
    issue(interactionUid: string): string {
      const [newest] = secrets();
      if (!newest) throw new Error('no CSRF secret configured');
      return tokenWith(newest, interactionUid);
    },
    verify(interactionUid: string, presented: unknown): boolean {
      if (typeof presented !== 'string' || presented.length === 0) return false;
      const actual = Buffer.from(presented);
      return secrets().some((secret) => {
        const expected = Buffer.from(tokenWith(secret, interactionUid));
        return expected.length === actual.length && timingSafeEqual(expected, actual);
      });
    },
  };
}

export type Csrf = ReturnType<typeof createCsrf>;
