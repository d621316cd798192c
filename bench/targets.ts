import type { RowSpec } from './report/row.ts';

/** The rows of issue #5 and their targets on a 2-core machine shared with the load generator. */
export const ROWS = {
  baseline: { id: 'baseline', path: 'baseline: plain koa, 1 KB JSON', target: '— (the ceiling)' },
  engineCeiling: {
    id: 'engine-ceiling',
    path: 'oidc-provider alone: client credentials → JWT (in memory, no Portcullis code)',
    target: '— (the ceiling of the next row)',
  },
  clientCredentialsJwt: {
    id: 'client-credentials-jwt',
    path: 'client credentials → JWT access token',
    target: '>= 3,000/s and >= 0.35 of baseline',
    met: (f) => f.rate >= 3000 && f.ratioToBaseline >= 0.35,
  },
  clientCredentialsOpaque: {
    id: 'client-credentials-opaque',
    path: 'client credentials → opaque access token',
    target: '>= 1,500/s',
    met: (f) => f.rate >= 1500,
  },
  refresh: {
    id: 'refresh-token',
    path: 'refresh_token grant with rotation',
    target: '>= 1,000/s',
    met: (f) => f.rate >= 1000,
  },
  introspection: {
    id: 'introspection',
    path: 'introspection of an opaque token',
    target: '>= 4,000/s',
    met: (f) => f.rate >= 4000,
  },
  jwks: {
    id: 'jwks',
    path: 'JWKS',
    target: '>= 0.8 of baseline',
    met: (f) => f.ratioToBaseline >= 0.8,
  },
  discovery: {
    id: 'discovery',
    path: 'discovery',
    target: '>= 0.8 of baseline',
    met: (f) => f.ratioToBaseline >= 0.8,
  },
  floor: {
    id: 'healthz',
    path: '/healthz through the whole Koa middleware stack',
    target: '— (the floor of every response Koa answers)',
  },
  userinfo: { id: 'userinfo', path: 'userinfo', target: '>= 3,000/s', met: (f) => f.rate >= 3000 },
  argon2Ceiling: {
    id: 'argon2-ceiling',
    path: 'argon2id verify ceiling (all cores, no HTTP)',
    target: '— (the ceiling of the next row)',
  },
  loginFlow: {
    id: 'authorization-code-flow',
    path: 'authorization-code flow with password login',
    target: '>= 0.9 of the argon2 ceiling',
    met: (f) => f.compared >= 0.9,
  },
  jwksDuringLogins: {
    id: 'jwks-during-logins',
    path: 'JWKS while the flow runs (50 req/s)',
    target: 'p99 < 50 ms',
    met: (f) => f.p99 < 50,
  },
  tenClients: {
    id: 'token-endpoint-10-clients',
    path: 'token endpoint, 10 clients registered',
    target: '—',
  },
  manyClients: {
    id: 'token-endpoint-many-clients',
    path: 'token endpoint, 100k clients registered',
    target: '>= 0.9 of the 10-client rate',
    met: (f) => f.compared >= 0.9,
  },
  manyClientsSpread: {
    id: 'token-endpoint-many-clients-spread',
    path: 'token endpoint, each request another of the 100k',
    target: '— (informative)',
  },
} satisfies Record<string, RowSpec>;
