import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { DomainError } from '../shared/errors.ts';
import {
  type ClientRow,
  deleteClient,
  findClientById,
  insertClient,
  listClients,
  updateClientSecretHash,
} from '../storage/clients.repository.ts';
import { holdsNul } from '../storage/nul.ts';
import type { Database } from '../storage/schema.ts';
import { generateClientSecret, hashClientSecret } from './client-secret.ts';
import { invalidInput } from './invalid-input.ts';
import { allowedOriginProblem, redirectUriKind, redirectUriProblem } from './redirect-uri.ts';
import type { ChangeAudit } from './security-events.ts';

const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'] as const;
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const;

const redirectUri = z.string().superRefine((value, ctx) => {
  const problem = redirectUriProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `${value} ${problem}` });
});

const allowedOrigin = z.string().superRefine((value, ctx) => {
  const problem = allowedOriginProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `${value} ${problem}` });
});

const newClientSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(200)
      .refine((value) => !holdsNul(value), 'must not contain the NUL character'),
    redirectUris: z.array(redirectUri).default([]),
    postLogoutRedirectUris: z.array(redirectUri).default([]),
    /** Origins allowed to call the token endpoint besides those of its redirect URIs (CORS). */
    allowedOrigins: z.array(allowedOrigin).default([]),
    public: z.boolean().default(false),
    grantTypes: z
      .array(z.enum(GRANT_TYPES))
      .min(1)
      .default(['authorization_code', 'refresh_token']),
    // No default here: it depends on the grant types (see defaultScope).
    scope: z
      .string()
      .regex(
        /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/,
        'must be space-separated scope names',
      )
      .optional(),
    firstParty: z.boolean().default(false),
    tokenEndpointAuthMethod: z.enum(AUTH_METHODS).default('client_secret_basic'),
    /** Its own refresh-token lifetimes in seconds (idle, absolute); else the server's defaults. */
    refreshTokenTtl: z.number().int().positive().optional(),
    refreshTokenAbsoluteTtl: z.number().int().positive().optional(),
    /** Its authorization requests must be pushed first (PAR, RFC 9126). */
    requirePushedAuthorizationRequests: z.boolean().default(false),
  })
  .superRefine((client, ctx) => {
    if (client.grantTypes.includes('authorization_code') && client.redirectUris.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['redirectUris'], message: 'at least one is required' });
    }
    if (client.public && client.grantTypes.includes('client_credentials')) {
      ctx.addIssue({
        code: 'custom',
        path: ['grantTypes'],
        message: 'client_credentials needs a confidential client (not --public)',
      });
    }
  });

export type NewClient = z.input<typeof newClientSchema>;

export interface CreatedClient {
  client: ClientRow;
  /** Present for confidential clients only; never stored, never shown again. */
  clientSecret?: string;
}

/** `audit`: where creating, deleting and re-keying a client is recorded, and as whom. */
export function createClientsService(db: Kysely<Database>, audit?: ChangeAudit) {
  const recorded = (
    type: 'client.created' | 'client.deleted' | 'client.secret_rotated',
    client: string,
  ) => audit?.record({ type, actor: audit.actor, client });
  return {
    async create(input: NewClient): Promise<CreatedClient> {
      const parsed = newClientSchema.safeParse(input);
      if (!parsed.success) throw invalidInput('invalid_client_metadata', parsed.error);
      const spec = parsed.data;
      const clientSecret = spec.public ? undefined : generateClientSecret();
      const client = await insertClient(db, {
        client_id: randomBytes(16).toString('base64url'),
        name: spec.name,
        secret_hash: clientSecret ? hashClientSecret(clientSecret) : null,
        first_party: spec.firstParty,
        metadata: JSON.stringify(metadataFor(spec)),
      });
      recorded('client.created', client.client_id);
      return clientSecret ? { client, clientSecret } : { client };
    },

    find: (clientId: string) => findClientById(db, clientId),

    async get(clientId: string): Promise<ClientRow> {
      const client = await findClientById(db, clientId);
      if (!client) throw new DomainError('client_not_found', `no client with id ${clientId}`, 404);
      return client;
    },

    list: () => listClients(db),

    async delete(clientId: string): Promise<void> {
      if (!(await deleteClient(db, clientId))) {
        throw new DomainError('client_not_found', `no client with id ${clientId}`, 404);
      }
      recorded('client.deleted', clientId);
    },

    /** A new secret replaces the old one at once; the old one stops working. */
    async rotateSecret(clientId: string): Promise<string> {
      const client = await this.get(clientId);
      if (!client.secret_hash) {
        throw new DomainError('public_client', `client ${clientId} is public and has no secret`);
      }
      const clientSecret = generateClientSecret();
      if (!(await updateClientSecretHash(db, clientId, hashClientSecret(clientSecret)))) {
        throw new DomainError('client_not_found', `no client with id ${clientId}`, 404);
      }
      recorded('client.secret_rotated', clientId);
      return clientSecret;
    },
  };
}

/**
 * The scopes a client may ask for when its creator named none. An application that signs people
 * in (authorization_code) gets the OpenID Connect scopes; a service that has only
 * client_credentials gets none: openid, profile, email and offline_access are about a person,
 * and no person is behind its tokens. It asks for API scopes by name.
 */
function defaultScope(grantTypes: readonly string[]): string | undefined {
  return grantTypes.includes('authorization_code')
    ? 'openid profile email offline_access'
    : undefined;
}

function metadataFor(spec: z.output<typeof newClientSchema>): Record<string, unknown> {
  const usesCode = spec.grantTypes.includes('authorization_code');
  const native = spec.redirectUris.some((uri) => redirectUriKind(uri) === 'native');
  const scope = spec.scope ?? defaultScope(spec.grantTypes);
  return {
    redirect_uris: spec.redirectUris,
    post_logout_redirect_uris: spec.postLogoutRedirectUris,
    grant_types: spec.grantTypes,
    response_types: usesCode ? ['code'] : [],
    token_endpoint_auth_method: spec.public ? 'none' : spec.tokenEndpointAuthMethod,
    application_type: native ? 'native' : 'web',
    ...(scope ? { scope } : {}),
    ...(spec.allowedOrigins.length > 0 ? { allowed_origins: spec.allowedOrigins } : {}),
    ...(spec.refreshTokenTtl ? { refresh_token_ttl: spec.refreshTokenTtl } : {}),
    ...(spec.refreshTokenAbsoluteTtl
      ? { refresh_token_absolute_ttl: spec.refreshTokenAbsoluteTtl }
      : {}),
    ...(spec.requirePushedAuthorizationRequests
      ? { require_pushed_authorization_requests: true }
      : {}),
  };
}

export type ClientsService = ReturnType<typeof createClientsService>;
