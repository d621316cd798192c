import { describe, expect, it } from 'vitest';
import { createCsrf } from '../../src/http/csrf.ts';

const OLD = 'o'.repeat(32);
const NEW = 'n'.repeat(32);

describe('CSRF tokens', () => {
  it('verifies the token it issued for an interaction', () => {
    const csrf = createCsrf([NEW]);
    expect(csrf.verify('uid-1', csrf.issue('uid-1'))).toBe(true);
  });

  it('rejects a token issued for another interaction', () => {
    const csrf = createCsrf([NEW]);
    expect(csrf.verify('uid-2', csrf.issue('uid-1'))).toBe(false);
  });

  it('rejects empty, missing and non-string tokens', () => {
    const csrf = createCsrf([NEW]);
    const token = csrf.issue('uid-1');
    for (const presented of ['', undefined, null, 42, [token], { token }]) {
      expect(csrf.verify('uid-1', presented)).toBe(false);
    }
    expect(csrf.verify('uid-1', `${token}x`)).toBe(false);
  });

  it('issues with the newest secret and still accepts tokens of an older one', () => {
    const before = createCsrf([OLD]);
    const rotated = createCsrf([NEW, OLD]);
    const issuedBefore = before.issue('uid-1');
    expect(rotated.verify('uid-1', issuedBefore)).toBe(true);
    expect(rotated.issue('uid-1')).not.toBe(issuedBefore);
    expect(rotated.issue('uid-1')).toBe(createCsrf([NEW]).issue('uid-1'));
  });

  it('rejects a token made with a secret it was not given', () => {
    const stranger = createCsrf(['s'.repeat(32)]).issue('uid-1');
    expect(createCsrf([NEW, OLD]).verify('uid-1', stranger)).toBe(false);
  });
});
