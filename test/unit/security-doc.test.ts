import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** docs/SECURITY.md names the test that proves each item: every one it names must exist. */
describe('docs/SECURITY.md', () => {
  const doc = readFileSync(new URL('../../docs/SECURITY.md', import.meta.url), 'utf8');
  const named = [...doc.matchAll(/`((?:unit|integration|e2e)\/[\w-]+\.test\.ts)`/g)].map(
    ([, path]) => path as string,
  );

  it('names tests', () => {
    expect(named.length).toBeGreaterThan(20);
  });

  it.each([...new Set(named)])('names %s, which exists', (path) => {
    expect(existsSync(new URL(`../${path}`, import.meta.url))).toBe(true);
  });
});
