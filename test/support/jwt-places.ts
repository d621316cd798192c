import fc from 'fast-check';
import { rawRequest } from './malformed-requests.ts';
import { invalidJwt, type Known, signedProof } from './malformed-values.ts';
import type { RawRequest } from './raw-http.ts';

/**
 * Where the server takes a JWT, each with the rest of a request that is otherwise right, so that
 * the JWT itself is what gets checked. `outcome` is what an invalid JWT there must come to:
 * refused (4xx, or a redirect back with an error), an inactive token (introspection), or ignored
 * (revocation answers 200 for a token it does not know, RFC 7009 §2.2).
 */
interface Place {
  path: string;
  method: 'GET' | 'POST';
  /** The parameters, with `JWT` where the invalid JWT goes; `Bearer` and `DPoP` are headers. */
  form: Record<string, string>;
  basic?: boolean;
  outcome: 'refused' | 'inactive' | 'ignored';
}

const ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const JWT = '\u0000jwt';

const places = (known: Known): Place[] => {
  const authorize = {
    client_id: known.clientId,
    response_type: 'code',
    redirect_uri: known.redirectUri,
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  };
  const assertion = { client_id: known.clientId, client_assertion_type: ASSERTION };
  return [
    {
      path: '/auth',
      method: 'GET',
      form: { ...authorize, id_token_hint: JWT },
      outcome: 'refused',
    },
    { path: '/auth', method: 'GET', form: { ...authorize, request: JWT }, outcome: 'refused' },
    { path: '/session/end', method: 'GET', form: { id_token_hint: JWT }, outcome: 'refused' },
    { path: '/session/end', method: 'POST', form: { id_token_hint: JWT }, outcome: 'refused' },
    {
      path: '/token',
      method: 'POST',
      form: { grant_type: 'client_credentials', ...assertion, client_assertion: JWT },
      outcome: 'refused',
    },
    {
      path: '/token',
      method: 'POST',
      form: { grant_type: 'refresh_token', refresh_token: JWT },
      basic: true,
      outcome: 'refused',
    },
    {
      path: '/token',
      method: 'POST',
      form: { grant_type: 'authorization_code', code: JWT, redirect_uri: known.redirectUri },
      basic: true,
      outcome: 'refused',
    },
    {
      path: '/token/introspection',
      method: 'POST',
      form: { token: JWT },
      basic: true,
      outcome: 'inactive',
    },
    {
      path: '/token/introspection',
      method: 'POST',
      form: { token: known.accessToken, ...assertion, client_assertion: JWT },
      outcome: 'refused',
    },
    {
      path: '/token/revocation',
      method: 'POST',
      form: { token: JWT },
      basic: true,
      outcome: 'ignored',
    },
    {
      path: '/request',
      method: 'POST',
      form: { ...authorize, request: JWT },
      basic: true,
      outcome: 'refused',
    },
    {
      path: '/request',
      method: 'POST',
      form: { ...authorize, ...assertion, client_assertion: JWT },
      outcome: 'refused',
    },
    { path: '/me', method: 'GET', form: { access_token: JWT }, outcome: 'refused' },
    { path: '/me', method: 'GET', form: { Bearer: JWT }, outcome: 'refused' },
    { path: '/me', method: 'POST', form: { DPoP: JWT }, outcome: 'refused' },
  ];
};

/** A request carrying an invalid JWT in one of the places, and the outcome it must come to. */
export const jwtRequest = (known: Known) =>
  fc
    .record({
      place: fc.constantFrom(...places(known)),
      jwt: fc.oneof(invalidJwt(known), signedProof(known)),
      accept: fc.constantFrom('application/json', 'text/html'),
    })
    .map(({ place, jwt, accept }): { raw: RawRequest; outcome: Place['outcome'] } => {
      const { Bearer, DPoP, ...params } = place.form;
      const form = new URLSearchParams(params).toString().replace(encodeURIComponent(JWT), jwt);
      const basic = `${known.clientId}:${known.clientSecret}`;
      const authorization = place.basic
        ? `Basic ${Buffer.from(basic).toString('base64')}`
        : Bearer
          ? `Bearer ${jwt}`
          : DPoP
            ? `DPoP ${known.accessToken}`
            : undefined;
      const raw = rawRequest({
        method: place.method,
        path: place.path,
        query: place.method === 'GET' ? form : undefined,
        body: place.method === 'POST' ? form : undefined,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept,
          authorization,
          dpop: DPoP ? jwt : undefined,
        },
      });
      return { raw, outcome: place.outcome };
    });
