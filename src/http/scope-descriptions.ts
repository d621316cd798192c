/** What each scope lets an application do, in the words the consent page uses. */
const DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are when you sign in',
  profile: 'See your name',
  email: 'See your email address and whether it is verified',
};

export function describeScopes(
  scopes: Iterable<string>,
): Array<{ name: string; description: string }> {
  return [...scopes]
    .filter((scope) => scope !== 'offline_access')
    .map((name) => ({ name, description: DESCRIPTIONS[name] ?? `Use the "${name}" permission` }));
}
