/**
 * The protocol engine's own ceiling for the JWT row: oidc-provider alone, configured for client
 * credentials → JWT access tokens as Portcullis configures it (client_secret_basic, an API whose
 * tokens are ES256 JWTs, an RS256 key beside the ES256 one), with its clients in its static
 * configuration and everything it stores in a Map: no Portcullis code, no storage, no logging, no
 * middleware of ours. What Portcullis adds shows as the gap between the two rows. A child process
 * of its own, loaded exactly like the server under test.
 */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Adapter, type AdapterPayload, errors } from 'oidc-provider';
import type { ServiceClient } from './seed.ts';
import { announceReady, serveHttp } from './support/child-side.ts';

export interface EngineInfo {
  tokenEndpoint: string;
  /** The API (resource indicator) whose access tokens are JWTs. */
  resource: string;
  clients: ServiceClient[];
}

const API = 'https://api.engine.example';

const stored = new Map<string, AdapterPayload>();

/** The least an adapter can be: a Map, no expiry (a run is seconds long). */
class MemoryAdapter implements Adapter {
  private readonly model: string;
  constructor(model: string) {
    this.model = model;
  }
  private key(id: string): string {
    return `${this.model}:${id}`;
  }
  async upsert(id: string, payload: AdapterPayload) {
    stored.set(this.key(id), payload);
  }
  async find(id: string) {
    return stored.get(this.key(id));
  }
  async findByUid() {
    return undefined;
  }
  async findByUserCode() {
    return undefined;
  }
  async consume(id: string) {
    const payload = stored.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    stored.delete(this.key(id));
  }
  async revokeByGrantId() {}
}

async function signingKey(alg: 'ES256' | 'RS256') {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `engine-${alg}` };
}

const clients: ServiceClient[] = Array.from({ length: 10 }, (_, index) => ({
  clientId: `engine-service-${index}`,
  clientSecret: randomBytes(32).toString('base64url'),
}));

const provider = new Provider('http://127.0.0.1', {
  adapter: MemoryAdapter,
  jwks: { keys: [await signingKey('ES256'), await signingKey('RS256')] },
  clients: clients.map((client) => ({
    client_id: client.clientId,
    client_secret: client.clientSecret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  })),
  clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
  ttl: { ClientCredentials: 600 },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== API) throw new errors.InvalidTarget();
        return {
          scope: 'read write',
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
});

const origin = await serveHttp(provider.callback());
announceReady<EngineInfo>({ tokenEndpoint: `${origin}/token`, resource: API, clients });
