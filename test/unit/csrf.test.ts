import { describe, expect, it } from 'vitest';
import { createCsrf } from '../../src/http/csrf.ts';

const OLD = 'o'.repeat(32);
const NEW = 'n'.repeat(32);
const csrfWith = (secrets: string[]) => createCsrf(() => secrets);

describe('CSRF tokens', () => {
  it('verifies the token it issued for an interaction', () => {
    const csrf = csrfWith([NEW]);
    expect(csrf.verify('uid-1', csrf.issue('uid-1'))).toBe(true);
  });

  it('rejects a token issued for another interaction', () => {
    const csrf = csrfWith([NEW]);
    expect(csrf.verify('uid-2', csrf.issue('uid-1'))).toBe(false);
  });

  it('rejects empty, missing and non-string tokens', () => {
    const csrf = csrfWith([NEW]);
    const token = csrf.issue('uid-1');
    for (const presented of ['', undefined, null, 42, [token], { token }]) {
      expect(csrf.verify('uid-1', presented)).toBe(false);
    }
    expect(csrf.verify('uid-1', `${token}x`)).toBe(false);
  });

  it('issues with the newest secret and still accepts tokens of an older one', () => {
    const before = csrfWith([OLD]);
    const rotated = csrfWith([NEW, OLD]);
    const issuedBefore = before.issue('uid-1');
    expect(rotated.verify('uid-1', issuedBefore)).toBe(true);
    expect(rotated.issue('uid-1')).not.toBe(issuedBefore);
    expect(rotated.issue('uid-1')).toBe(csrfWith([NEW]).issue('uid-1'));
  });

  it('rejects a token made with a secret it was not given', () => {
    const stranger = csrfWith(['s'.repeat(32)]).issue('uid-1');
    expect(csrfWith([NEW, OLD]).verify('uid-1', stranger)).toBe(false);
  });

  it('follows the cookie keys as they rotate: a form rendered before a rotation posts after it', () => {
    let secrets = [OLD];
    const csrf = createCsrf(() => secrets);
    const before = csrf.issue('uid-1');

    secrets = [NEW, OLD];
    const after = csrf.issue('uid-1');
    expect(after).not.toBe(before);
    expect(csrf.verify('uid-1', before)).toBe(true);
    expect(csrf.verify('uid-1', after)).toBe(true);

    secrets = [NEW];
    expect(csrf.verify('uid-1', before)).toBe(false);
    expect(csrf.verify('uid-1', after)).toBe(true);
  });
});
