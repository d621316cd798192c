import { parseArgs } from 'node:util';
import type { ClientRow } from '../storage/clients.repository.ts';
import type { CliContext } from './context.ts';
import { idArgument, UsageError } from './usage.ts';

const view = (client: ClientRow) => ({
  client_id: client.client_id,
  client_name: client.name,
  public: client.secret_hash === null,
  first_party: client.first_party,
  ...client.metadata,
  created_at: client.created_at.toISOString(),
});

export async function clientsCommand(ctx: CliContext, action: string | undefined, args: string[]) {
  if (action === 'create') return createClient(ctx, args);
  if (action === 'list') {
    const clients = (await ctx.clients.list()).map(view);
    const lines = clients.map(
      (c) => `${c.client_id}  ${c.client_name}${c.public ? '  (public)' : ''}`,
    );
    return ctx.print(lines.join('\n') || 'no clients', { clients });
  }
  const clientId = idArgument(args);
  if (!clientId) throw new UsageError(`clients ${action ?? ''} needs a client_id`);
  switch (action) {
    case 'show': {
      const client = view(await ctx.clients.get(clientId));
      return ctx.print(JSON.stringify(client, null, 2), client);
    }
    case 'delete':
      await ctx.clients.delete(clientId);
      return ctx.print(`deleted client ${clientId}`, { client_id: clientId, deleted: true });
    case 'rotate-secret': {
      const clientSecret = await ctx.clients.rotateSecret(clientId);
      return ctx.print(
        `client_secret: ${clientSecret}\nThe old secret no longer works. This secret is shown only once.`,
        { client_id: clientId, client_secret: clientSecret },
      );
    }
    default:
      throw new UsageError(`unknown clients command: ${action ?? '(none)'}`);
  }
}

async function createClient(ctx: CliContext, args: string[]) {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'post-logout-redirect-uri': { type: 'string', multiple: true },
      'allowed-origin': { type: 'string', multiple: true },
      public: { type: 'boolean' },
      'grant-types': { type: 'string' },
      scope: { type: 'string' },
      'first-party': { type: 'boolean' },
      'token-endpoint-auth-method': { type: 'string' },
      'require-par': { type: 'boolean' },
      'refresh-token-ttl': { type: 'string' },
      'refresh-token-absolute-ttl': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  if (!values.name) throw new UsageError('clients create needs --name');
  const { client, clientSecret } = await ctx.clients.create({
    name: values.name,
    redirectUris: values['redirect-uri'] ?? [],
    postLogoutRedirectUris: values['post-logout-redirect-uri'] ?? [],
    allowedOrigins: values['allowed-origin'] ?? [],
    public: values.public ?? false,
    grantTypes: values['grant-types']?.split(',').map((type) => type.trim()) as never,
    scope: values.scope,
    firstParty: values['first-party'] ?? false,
    tokenEndpointAuthMethod: values['token-endpoint-auth-method'] as never,
    requirePushedAuthorizationRequests: values['require-par'] ?? false,
    refreshTokenTtl: seconds(values['refresh-token-ttl'], '--refresh-token-ttl'),
    refreshTokenAbsoluteTtl: seconds(
      values['refresh-token-absolute-ttl'],
      '--refresh-token-absolute-ttl',
    ),
  });
  const human = [`client_id: ${client.client_id}`];
  if (clientSecret)
    human.push(`client_secret: ${clientSecret}`, 'The secret is shown only once; store it now.');
  ctx.print(human.join('\n'), {
    client_id: client.client_id,
    ...(clientSecret ? { client_secret: clientSecret } : {}),
  });
}

/** A flag's value as whole seconds, or undefined when the flag was not given. */
function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`${flag} needs a whole number of seconds, not ${value}`);
  }
  return Number(value);
}
