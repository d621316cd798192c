import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { DomainError } from '../shared/errors.ts';
import { revokeAccountAccess } from '../storage/account-access.ts';
import {
  type AccountProfile,
  type AccountRow,
  type AccountsReadAhead,
  findAccountByEmail,
  findAccountById,
  findAccountProfile,
  insertAccount,
  listAccounts,
  setAccountDisabled,
  setAccountPasswordHash,
} from '../storage/accounts.repository.ts';
import { holdsNul } from '../storage/nul.ts';
import type { RedisHandle } from '../storage/redis.ts';
import type { Database } from '../storage/schema.ts';
import { isUniqueViolation } from '../storage/unique-violation.ts';
import { isCommonPassword } from './common-passwords.ts';
import { invalidInput } from './invalid-input.ts';
import {
  decoyHash,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  verifyPassword,
} from './password.ts';
import type { ChangeAudit } from './security-events.ts';

const noNul = (value: string) => !holdsNul(value);
const NO_NUL = 'must not contain the NUL character';

/**
 * The rules of a password, whether set at creation or later (NIST SP 800-63B 3.1.1.2): a length,
 * and not one of the commonly used ones. Async, for the list is loaded on first use.
 */
const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH)
  .refine(
    async (password) => !(await isCommonPassword(password)),
    'is one of the most common passwords; choose another',
  );

export const newAccountSchema = z.object({
  email: z.email('must be a valid email address').max(320),
  name: z.string().trim().min(1).max(200).refine(noNul, NO_NUL).optional(),
  password: passwordSchema.optional(),
  roles: z.array(z.string().regex(/^[\w:.-]{1,64}$/, 'must be a simple name')).default([]),
  emailVerified: z.boolean().default(false),
});

export type NewAccount = z.input<typeof newAccountSchema>;

export interface StandardClaims extends Record<string, unknown> {
  sub: string;
  email: string;
  email_verified: boolean;
  name?: string;
  updated_at: number;
}

/**
 * `redis`: where sessions live when Redis is configured, so that disabling an account ends them.
 * `audit`: where creating, disabling and enabling an account is recorded, and as whom.
 */
export function createAccountsService(
  db: Kysely<Database>,
  redis?: RedisHandle,
  audit?: ChangeAudit,
) {
  const recorded = (
    type: 'user.created' | 'user.disabled' | 'user.enabled' | 'user.password_set',
    account: string,
  ) => audit?.record({ type, actor: audit.actor, account });
  return {
    async create(input: NewAccount): Promise<AccountRow> {
      const parsed = await newAccountSchema.safeParseAsync(input);
      if (!parsed.success) throw invalidInput('invalid_account', parsed.error);
      const { email, name, password, roles, emailVerified } = parsed.data;
      try {
        const account = await insertAccount(db, {
          id: randomUUID(),
          email,
          name: name ?? null,
          email_verified: emailVerified,
          password_hash: password ? await hashPassword(password) : null,
          roles: JSON.stringify(roles),
        });
        recorded('user.created', account.id);
        return account;
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new DomainError('account_exists', `an account with email ${email} exists`, 409);
        }
        throw error;
      }
    },

    /**
     * The account for these credentials, or undefined. Unknown emails, disabled accounts and
     * accounts without a password all cost one argon2 verification, like a wrong password. A
     * stored hash argon2 cannot verify throws: a server error, not a wrong password.
     */
    async authenticate(email: string, password: string): Promise<AccountRow | undefined> {
      const account = email ? await findAccountByEmail(db, email) : undefined;
      const usable = account && !account.disabled_at && account.password_hash ? account : undefined;
      const hash = usable?.password_hash ?? (await decoyHash());
      const matches = await verifyPassword(hash, password.slice(0, MAX_PASSWORD_LENGTH));
      return usable && matches ? usable : undefined;
    },

    findById: (id: string) => findAccountById(db, id),

    findByEmail: (email: string) => findAccountByEmail(db, email),

    /** `readAhead`: the profiles the request read with its token (storage/request-scope.ts). */
    async findActive(
      id: string,
      readAhead?: AccountsReadAhead,
    ): Promise<AccountProfile | undefined> {
      const account = await findAccountProfile(db, id, readAhead);
      return account && !account.disabled_at ? account : undefined;
    },

    list: () => listAccounts(db),

    /**
     * Sets a password under the rules of `create`, and ends every session and grant the account
     * holds (their tokens with them), as disabling does: whoever signed in with the old password,
     * or took it, signs in again with the new one. The caller says so (`users set-password`).
     */
    async setPassword(id: string, password: string): Promise<void> {
      const parsed = await z.object({ password: passwordSchema }).safeParseAsync({ password });
      if (!parsed.success) throw invalidInput('invalid_password', parsed.error);
      const hash = await hashPassword(parsed.data.password);
      if (!(await setAccountPasswordHash(db, id, hash))) {
        throw new DomainError('account_not_found', `no account with id ${id}`, 404);
      }
      await revokeAccountAccess(db, redis, id);
      recorded('user.password_set', id);
    },

    /**
     * Disabling also ends every session and grant of the account, and with them its tokens
     * (introspection answers inactive): enabling it again revives none of them.
     */
    async setDisabled(id: string, disabled: boolean): Promise<void> {
      if (!(await setAccountDisabled(db, id, disabled))) {
        throw new DomainError('account_not_found', `no account with id ${id}`, 404);
      }
      if (disabled) await revokeAccountAccess(db, redis, id);
      recorded(disabled ? 'user.disabled' : 'user.enabled', id);
    },

    claimsOf(account: AccountProfile): StandardClaims {
      return {
        sub: account.id,
        email: account.email,
        email_verified: account.email_verified,
        ...(account.name ? { name: account.name } : {}),
        updated_at: Math.floor(account.updated_at.getTime() / 1000),
      };
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
