import type { Endpoints } from '../http/endpoints.ts';
import { signIn, type TokenSet } from '../http/sign-in.ts';
import type { Seed } from '../seed.ts';

/**
 * Tokens of signed-in users, each from a real sign-in over HTTP (login and consent, with
 * offline_access so that a refresh token comes too). Each costs one argon2 verification.
 */
export async function mintUserTokens(
  endpoints: Endpoints,
  seed: Seed,
  count: number,
  concurrency = 4,
): Promise<TokenSet[]> {
  const tokens: TokenSet[] = [];
  const lane = async (lane: number) => {
    for (let index = lane; index < count; index += concurrency) {
      const user = seed.users[index % seed.users.length];
      if (!user) throw new Error('no users seeded');
      tokens.push(
        await signIn(endpoints, seed.webApp, user, {
          scope: 'openid email profile offline_access',
          prompt: 'consent',
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, index) => lane(index)));
  return tokens;
}
