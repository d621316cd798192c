import { parseArgs } from 'node:util';
import type { AccountRow } from '../storage/accounts.repository.ts';
import type { CliContext } from './context.ts';
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

export async function usersCommand(ctx: CliContext, action: string | undefined, args: string[]) {
  switch (action) {
    case 'create':
      return createUser(ctx, args);
    case 'list': {
      const accounts = (await ctx.accounts.list()).map(view);
      const lines = accounts.map((a) => `${a.id}  ${a.email}${a.disabled ? '  (disabled)' : ''}`);
      return ctx.print(lines.join('\n') || 'no users', { users: accounts });
    }
    case 'disable':
    case 'enable': {
      const { positionals } = parseArgs({
        args,
        options: { json: { type: 'boolean' } },
        allowPositionals: true,
      });
      const [id] = positionals;
      if (!id) throw new UsageError(`users ${action} needs the user's id`);
      await ctx.accounts.setDisabled(id, action === 'disable');
      return ctx.print(`user ${id} ${action}d`, { id, disabled: action === 'disable' });
    }
    default:
      throw new UsageError(`unknown users command: ${action ?? '(none)'}`);
  }
}

async function createUser(ctx: CliContext, args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      role: { type: 'string', multiple: true },
      'email-verified': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  if (!values.email) throw new UsageError('users create needs --email');
  const password = values['password-stdin'] ? (await ctx.stdin()).replace(/\r?\n$/, '') : undefined;
  if (values['password-stdin'] && !password)
    throw new UsageError('--password-stdin read no password');
  const account = await ctx.accounts.create({
    email: values.email,
    name: values.name,
    password,
    roles: values.role ?? [],
    emailVerified: values['email-verified'] ?? false,
  });
  if (!password) ctx.warn('the user has no password and cannot sign in with one');
  ctx.print(`created user ${account.id} <${account.email}>`, view(account));
}
