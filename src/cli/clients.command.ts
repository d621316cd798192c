import type { ClientRow } from '../storage/clients.repository.ts';
import { defineCommand, jsonOption } from './command.ts';
import { textTable } from './text-table.ts';
import { UsageError } from './usage.ts';

const view = (client: ClientRow) => ({
  client_id: client.client_id,
  client_name: client.name,
  public: client.secret_hash === null,
  first_party: client.first_party,
  ...client.metadata,
  created_at: client.created_at.toISOString(),
});

const CLIENT_ARGUMENT = {
  name: 'client_id',
  description: "the client's id (one that begins with '--' goes after a '--')",
};

/** A flag's value as whole seconds, or undefined when the flag was not given. */
function seconds(value: string | undefined, flag: string, help: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) <= 0) {
    throw new UsageError(`${flag} needs a whole number of seconds, not ${value}`, help);
  }
  return Number(value);
}

const create = defineCommand({
  name: 'clients create',
  summary: 'register an application',
  description:
    'A confidential client gets a secret, shown only now (Portcullis keeps only its hash);\n' +
    'a --public one (a browser or mobile app) gets none and must use PKCE.',
  storage: 'writes',
  options: {
    name: { type: 'string', required: true, description: 'its name, shown on the consent page' },
    'redirect-uri': {
      type: 'string',
      multiple: true,
      value: 'uri',
      field: 'redirectUris',
      description: 'where sign-ins return to (https, or http on localhost)',
    },
    'post-logout-redirect-uri': {
      type: 'string',
      multiple: true,
      value: 'uri',
      field: 'postLogoutRedirectUris',
      description: 'where logouts may return to',
    },
    'allowed-origin': {
      type: 'string',
      multiple: true,
      value: 'origin',
      field: 'allowedOrigins',
      description:
        'an extra origin its browser code may call from (CORS), beside its redirect URIs',
    },
    public: { type: 'boolean', description: 'a client without a secret (SPA, mobile, CLI)' },
    'grant-types': {
      type: 'string',
      value: 'a,b',
      field: 'grantTypes',
      description: 'authorization_code, refresh_token, client_credentials (default: the first two)',
    },
    scope: {
      type: 'string',
      value: 's1 s2',
      description: 'the scopes it may ask for, space-separated',
    },
    'first-party': {
      type: 'boolean',
      field: 'firstParty',
      description: 'your own application: no consent page',
    },
    'token-endpoint-auth-method': {
      type: 'string',
      value: 'method',
      field: 'tokenEndpointAuthMethod',
      description: 'client_secret_basic (default) or client_secret_post',
    },
    'require-par': {
      type: 'boolean',
      field: 'requirePushedAuthorizationRequests',
      description: 'it must push its authorization requests first (PAR, RFC 9126)',
    },
    'refresh-token-ttl': {
      type: 'string',
      value: 'seconds',
      field: 'refreshTokenTtl',
      description: "its refresh tokens' idle lifetime; each rotation starts it anew",
    },
    'refresh-token-absolute-ttl': {
      type: 'string',
      value: 'seconds',
      field: 'refreshTokenAbsoluteTtl',
      description: 'the longest its refresh tokens last after the sign-in',
    },
    json: jsonOption,
  },
  examples: [
    'portcullis clients create --name my-app --redirect-uri http://localhost:8080/cb --json',
    'portcullis clients create --name reports --grant-types client_credentials --scope api:read',
  ],
  async run(ctx, { values, help }) {
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
      refreshTokenTtl: seconds(values['refresh-token-ttl'], '--refresh-token-ttl', help),
      refreshTokenAbsoluteTtl: seconds(
        values['refresh-token-absolute-ttl'],
        '--refresh-token-absolute-ttl',
        help,
      ),
    });
    const human = [`client_id: ${client.client_id}`];
    if (clientSecret) {
      human.push(`client_secret: ${clientSecret}`, 'The secret is shown only once; store it now.');
    }
    ctx.print(human.join('\n'), {
      client_id: client.client_id,
      ...(clientSecret ? { client_secret: clientSecret } : {}),
    });
  },
});

const list = defineCommand({
  name: 'clients list',
  summary: 'list the clients',
  storage: 'reads',
  options: { json: jsonOption },
  examples: ['portcullis clients list'],
  async run(ctx) {
    const clients = (await ctx.clients.list()).map(view);
    const rows = clients.map((client) => [
      client.client_id,
      client.client_name,
      client.public ? 'public' : 'confidential',
    ]);
    ctx.print(textTable(['CLIENT_ID', 'NAME', 'TYPE'], rows, 'no clients'), { clients });
  },
});

const show = defineCommand({
  name: 'clients show',
  summary: 'print one client, without its secret',
  storage: 'reads',
  argument: CLIENT_ARGUMENT,
  options: { json: jsonOption },
  examples: ['portcullis clients show 8fJ2kQx0R1c7Vb5nTz3wLg'],
  async run(ctx, { argument }) {
    const client = view(await ctx.clients.get(argument));
    ctx.print(JSON.stringify(client, null, 2), client);
  },
});

const remove = defineCommand({
  name: 'clients delete',
  summary: 'delete a client',
  storage: 'writes',
  argument: CLIENT_ARGUMENT,
  options: { json: jsonOption },
  examples: ['portcullis clients delete 8fJ2kQx0R1c7Vb5nTz3wLg'],
  async run(ctx, { argument }) {
    await ctx.clients.delete(argument);
    ctx.print(`deleted client ${argument}`, { client_id: argument, deleted: true });
  },
});

const rotateSecret = defineCommand({
  name: 'clients rotate-secret',
  summary: 'give a client a new secret',
  storage: 'writes',
  argument: CLIENT_ARGUMENT,
  options: { json: jsonOption },
  examples: ['portcullis clients rotate-secret 8fJ2kQx0R1c7Vb5nTz3wLg --json'],
  async run(ctx, { argument }) {
    const clientSecret = await ctx.clients.rotateSecret(argument);
    ctx.print(
      `client_secret: ${clientSecret}\nThe old secret no longer works. This secret is shown only once.`,
      { client_id: argument, client_secret: clientSecret },
    );
  },
});

export const clientsCommands = [create, list, show, remove, rotateSecret];
