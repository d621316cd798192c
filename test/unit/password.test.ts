import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/domain/password.ts';

describe('password verification', () => {
  it('answers true for the password a hash was made from, false for another', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'correct horse battery staple')).toBe(true);
    expect(await verifyPassword(hash, 'not the password')).toBe(false);
  });

  it('rejects, rather than reporting a wrong password, when argon2 cannot read the stored hash', async () => {
    const hash = await hashPassword('correct horse battery staple');
    for (const damaged of ['', 'not a hash', hash.slice(1), hash.replace('$v=19', '$v=x')]) {
      await expect(verifyPassword(damaged, 'correct horse battery staple')).rejects.toThrow();
    }
  });
});
