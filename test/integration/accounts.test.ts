import argon2 from 'argon2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AccountsService } from '../../src/domain/accounts.service.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';

// Spying on an ES module's named export needs the module replaced by one that wraps it; the real
// functions still run, so every hash and verification below is a real argon2id one.
vi.mock(import('../../src/domain/password.ts'), async (importOriginal) => {
  const actual = await importOriginal();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword) };
});
// Files of this project share their worker's modules (isolate: false), so an earlier file may have
// loaded the accounts service with the real password module: load it afresh, after the mock, with
// the modules whose identity the tests rely on (the wrapped function, the error class).
vi.resetModules();
const password = await import('../../src/domain/password.ts');
const { createAccountsService } = await import('../../src/domain/accounts.service.ts');
const { DomainError } = await import('../../src/shared/errors.ts');

const PASSWORD = 'correct horse battery staple';

describe.each(sqlBackends)('accounts on $name storage', (backend) => {
  let database: TestDatabase;
  let accounts: AccountsService;
  let emails = 0;
  const nextEmail = () => `user${++emails}@example.com`;

  beforeAll(async () => {
    database = await backend.create();
    accounts = createAccountsService(database.handle.db);
  });
  afterAll(() => database?.drop());

  it('authenticates an account created with a password', async () => {
    const email = nextEmail();
    const created = await accounts.create({ email, password: PASSWORD, name: 'Ada' });
    const signedIn = await accounts.authenticate(email, PASSWORD);
    expect(signedIn?.id).toBe(created.id);
  });

  it('matches emails case-insensitively and refuses a second account for the same email', async () => {
    await accounts.create({ email: 'Mixed.Case@Example.com', password: PASSWORD });
    expect(await accounts.authenticate('mixed.case@EXAMPLE.COM', PASSWORD)).toBeDefined();

    const duplicate = accounts.create({ email: 'MIXED.case@example.COM' });
    await expect(duplicate).rejects.toBeInstanceOf(DomainError);
    await expect(duplicate).rejects.toMatchObject({ code: 'account_exists', status: 409 });
  });

  it('refuses a wrong password, an unknown email, a disabled account and one without password', async () => {
    const email = nextEmail();
    const account = await accounts.create({ email, password: PASSWORD });
    const withoutPassword = nextEmail();
    await accounts.create({ email: withoutPassword });

    expect(await accounts.authenticate(email, 'not the password')).toBeUndefined();
    expect(await accounts.authenticate('nobody@example.com', PASSWORD)).toBeUndefined();
    expect(await accounts.authenticate(withoutPassword, '')).toBeUndefined();
    expect(await accounts.authenticate(withoutPassword, PASSWORD)).toBeUndefined();
    expect(await accounts.authenticate(email, PASSWORD)).toBeDefined();
    await accounts.setDisabled(account.id, true);
    expect(await accounts.authenticate(email, PASSWORD)).toBeUndefined();
  });

  it('runs one argon2id verification of equal cost for unknown, disabled and password-less accounts', async () => {
    const email = nextEmail();
    await accounts.create({ email, password: PASSWORD });
    const disabled = nextEmail();
    await accounts.setDisabled(
      (await accounts.create({ email: disabled, password: PASSWORD })).id,
      true,
    );
    const withoutPassword = nextEmail();
    await accounts.create({ email: withoutPassword });
    const verify = vi.mocked(password.verifyPassword);
    verify.mockClear();

    await accounts.authenticate(email, 'wrong password');
    await accounts.authenticate('unknown@example.com', PASSWORD);
    await accounts.authenticate(disabled, PASSWORD);
    await accounts.authenticate(withoutPassword, PASSWORD);

    expect(verify).toHaveBeenCalledTimes(4);
    const [wrongPassword, ...others] = verify.mock.calls.map(([hash]) => argon2Parameters(hash));
    expect(wrongPassword?.algorithm).toBe('argon2id');
    for (const cost of others) expect(cost).toEqual(wrongPassword);
  });

  it('stores the password as an argon2id hash with m=19456, t=2, p=1', async () => {
    const account = await accounts.create({ email: nextEmail(), password: PASSWORD });
    const hash = String(account.password_hash);
    expect(hash).not.toContain(PASSWORD);
    expect(argon2Parameters(hash)).toEqual({
      algorithm: 'argon2id',
      version: '19',
      memory: 19_456,
      iterations: 2,
      parallelism: 1,
    });
    expect(await argon2.verify(hash, PASSWORD)).toBe(true);
  });

  it('gives accounts an opaque id that is not the email', async () => {
    const email = nextEmail();
    const account = await accounts.create({ email });
    expect(account.id).not.toContain(email);
    expect(account.id).not.toContain('@');
    expect(accounts.claimsOf(account).sub).toBe(account.id);
  });

  it('refuses a password shorter than 12 characters or among the common ones', async () => {
    const refused = async (candidate: string) =>
      accounts.create({ email: nextEmail(), password: candidate }).then(
        () => 'accepted',
        (error: Error) => error.message,
      );

    expect(await refused('eleven char')).toMatch(/password: must be at least 12 characters/);
    expect(await refused('1q2w3e4r5t6y')).toMatch(/password: .*most common passwords/);
    expect(await refused('QWERTY123456')).toMatch(/most common passwords/);
    expect(await refused('twelve chars')).toBe('accepted');
  });

  it('returns the standard claims of an account', async () => {
    const email = nextEmail();
    const account = await accounts.create({ email, name: 'Grace Hopper', emailVerified: true });
    expect(accounts.claimsOf(account)).toEqual({
      sub: account.id,
      email,
      email_verified: true,
      name: 'Grace Hopper',
      updated_at: Math.floor(account.updated_at.getTime() / 1000),
    });
    const unnamed = await accounts.create({ email: nextEmail() });
    expect(accounts.claimsOf(unnamed)).not.toHaveProperty('name');
    expect(accounts.claimsOf(unnamed).email_verified).toBe(false);
  });
});

/** The algorithm and cost of a PHC-format argon2 hash: $argon2id$v=19$m=..,t=..,p=..$salt$hash */
function argon2Parameters(hash: string) {
  const [empty, algorithm, version, parameters, salt, digest, ...rest] = hash.split('$');
  if (empty !== '' || !parameters || !salt || !digest || rest.length > 0) {
    throw new Error('not a PHC-format hash');
  }
  const cost = new Map(parameters.split(',').map((pair) => pair.split('=') as [string, string]));
  return {
    algorithm,
    version: version?.replace(/^v=/, ''),
    memory: Number(cost.get('m')),
    iterations: Number(cost.get('t')),
    parallelism: Number(cost.get('p')),
  };
}
