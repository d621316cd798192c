import { describe, expect, it } from 'vitest';
import { createCsrf } from '../../src/http/csrf.ts';

describe('CSRF tokens across cookie key rotation', () => {
  const oldKey = 'o'.repeat(43);
  const newKey = 'n'.repeat(43);

  it('issue with the first secret and verify with any, following the secrets as they change', () => {
    let secrets = [oldKey];
    const csrf = createCsrf(() => secrets);
    const before = csrf.issue('uid-1');

    secrets = [newKey, oldKey];
    const after = csrf.issue('uid-1');
    expect(after).not.toBe(before);
    expect(csrf.verify('uid-1', before)).toBe(true);
    expect(csrf.verify('uid-1', after)).toBe(true);
    expect(csrf.verify('uid-2', after)).toBe(false);

    secrets = [newKey];
    expect(csrf.verify('uid-1', before)).toBe(false);
    expect(csrf.verify('uid-1', after)).toBe(true);
  });
});
