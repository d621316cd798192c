import { loginSubject } from '../domain/login-throttle.ts';
import { DomainError } from '../shared/errors.ts';
import type { AccountRow } from '../storage/accounts.repository.ts';
import { defineCommand, jsonOption } from './command.ts';
import type { CliContext } from './context.ts';
import { textTable } from './text-table.ts';
import { UsageError } from './usage.ts';

const view = (account: AccountRow) => ({
  id: account.id,
  email: account.email,
  name: account.name,
  email_verified: account.email_verified,
  roles: account.roles,
  disabled: account.disabled_at !== null,
  has_password: account.password_hash !== null,
  created_at: account.created_at.toISOString(),
});

const PASSWORD_STDIN = {
  type: 'boolean',
  field: 'password',
  description: 'read the password from stdin (one line; 12 characters or more, not a common one)',
} as const;

/** The password given on stdin, without the line ending; '' is a usage error. */
async function passwordFromStdin(ctx: CliContext, usage: string): Promise<string> {
  const password = (await ctx.stdin()).replace(/\r?\n$/, '');
  if (!password) throw new UsageError('--password-stdin read no password', usage);
  return password;
}

/** The account an argument names: its id, or (with an '@') its email address. */
async function accountNamed(ctx: CliContext, idOrEmail: string): Promise<AccountRow> {
  const account = idOrEmail.includes('@')
    ? await ctx.accounts.findByEmail(idOrEmail)
    : await ctx.accounts.findById(idOrEmail);
  if (!account)
    throw new DomainError('account_not_found', `no user with id or email ${idOrEmail}`, 404);
  return account;
}

const create = defineCommand({
  name: 'users create',
  summary: 'create a user who signs in with email and password',
  description:
    'Without --password-stdin the user has no password and cannot sign in until\n' +
    '`portcullis users set-password` gives them one.',
  storage: 'writes',
  options: {
    email: { type: 'string', required: true, description: 'the address they sign in with' },
    name: { type: 'string', description: 'their name, as the name claim' },
    'password-stdin': PASSWORD_STDIN,
    role: {
      type: 'string',
      multiple: true,
      field: 'roles',
      description: 'a role, as the roles claim',
    },
    'email-verified': {
      type: 'boolean',
      field: 'emailVerified',
      description: 'mark the address as verified (email_verified claim)',
    },
    json: jsonOption,
  },
  examples: [
    "echo 'correct horse battery staple' | portcullis users create --email alice@example.com --name Alice --password-stdin",
  ],
  async run(ctx, { values, help }) {
    const password = values['password-stdin'] ? await passwordFromStdin(ctx, help) : undefined;
    const account = await ctx.accounts.create({
      email: values.email,
      name: values.name,
      password,
      roles: values.role ?? [],
      emailVerified: values['email-verified'] ?? false,
    });
    if (!password) {
      ctx.warn(
        'the user has no password and cannot sign in until you give one: ' +
          `portcullis users set-password ${account.email} --password-stdin`,
      );
    }
    ctx.print(`created user ${account.id} <${account.email}>`, view(account));
  },
});

const list = defineCommand({
  name: 'users list',
  summary: 'list the users',
  storage: 'reads',
  options: { json: jsonOption },
  examples: ['portcullis users list --json'],
  async run(ctx) {
    const users = (await ctx.accounts.list()).map(view);
    const rows = users.map((user) => [
      user.id,
      user.email,
      user.name ?? '',
      [user.disabled ? 'disabled' : '', user.has_password ? '' : 'no password']
        .filter(Boolean)
        .join(', '),
    ]);
    ctx.print(textTable(['ID', 'EMAIL', 'NAME', 'STATUS'], rows, 'no users'), { users });
  },
});

const USER_ARGUMENT = { name: 'id|email', description: "the user's id or email address" };

const setPassword = defineCommand({
  name: 'users set-password',
  summary: "set a user's password, read from stdin",
  description:
    'The rules are those of `users create`. It also ends every session and grant the user\n' +
    'holds, with their tokens: they sign in again, with the new password, everywhere.',
  storage: 'writes',
  argument: USER_ARGUMENT,
  options: { 'password-stdin': { ...PASSWORD_STDIN, required: true }, json: jsonOption },
  examples: [
    "echo 'a new long passphrase' | portcullis users set-password alice@example.com --password-stdin",
  ],
  async run(ctx, { argument, help }) {
    const account = await accountNamed(ctx, argument);
    await ctx.accounts.setPassword(account.id, await passwordFromStdin(ctx, help));
    ctx.print(
      `set the password of ${account.email}; their sessions and grants are ended: they sign in again`,
      { id: account.id, email: account.email, password_set: true, sessions_ended: true },
    );
  },
});

const unlock = defineCommand({
  name: 'users unlock',
  summary: 'lift the sign-in lockout of an email address',
  description:
    'Failed sign-ins are counted per email address and per client IP; this forgets those of\n' +
    'the address (its lockout or growing delay), not those of the IPs they came from.',
  storage: 'writes',
  argument: { name: 'email', description: 'the address as people type it on the sign-in page' },
  options: { json: jsonOption },
  examples: ['portcullis users unlock alice@example.com'],
  async run(ctx, { argument }) {
    const secondsLeft = await ctx.loginThrottle.unlock(loginSubject(argument));
    ctx.print(
      secondsLeft > 0
        ? `lifted the lockout of ${argument} (${secondsLeft} s were left); they may sign in now`
        : `${argument} was not locked out; nothing to lift`,
      { email: argument, was_locked_out: secondsLeft > 0, seconds_left: secondsLeft },
    );
  },
});

const disableOrEnable = (action: 'disable' | 'enable') =>
  defineCommand({
    name: `users ${action}`,
    summary:
      action === 'disable'
        ? 'stop a user signing in; end their sessions'
        : 'let a disabled user sign in again',
    storage: 'writes',
    argument: USER_ARGUMENT,
    options: { json: jsonOption },
    examples: [`portcullis users ${action} alice@example.com`],
    async run(ctx, { argument }) {
      const account = await accountNamed(ctx, argument);
      await ctx.accounts.setDisabled(account.id, action === 'disable');
      ctx.print(`user ${account.id} <${account.email}> ${action}d`, {
        id: account.id,
        disabled: action === 'disable',
      });
    },
  });

export const usersCommands = [
  create,
  list,
  setPassword,
  unlock,
  disableOrEnable('disable'),
  disableOrEnable('enable'),
];
