import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptObserver } from '../domain/attempt-throttle.ts';
import type { SigningKeyInForce } from '../domain/key-set.service.ts';
import type { TokenObserver } from '../oidc/provider-metrics.ts';
import type { DurationObserver } from '../storage/query-timing.ts';
import type { RequestObserver } from './request-log.ts';

/** Which store a storage call went to, as the storage-latency metric labels it. */
export type StoreName = 'postgres' | 'embedded' | 'redis';

const REQUEST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STORAGE_BUCKETS = [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/**
 * The Prometheus metrics of one server, in a registry of its own (never prom-client's global
 * one), served on the metrics port only. The layers that count things know nothing of
 * Prometheus: each takes an observer (a function or a small interface of its own) that this
 * object hands out, built once by the composition root. With metrics off, no observer is given
 * and nothing is measured.
 *
 * Every label is a short fixed list (route names, grant types, store names), never a value a
 * request chooses: a scrape stays the same size whatever traffic the server sees.
 */
export function createMetrics() {
  const registry = new Registry();
  // Process and Node.js metrics, event-loop lag (nodejs_eventloop_lag_seconds) among them.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const requests = new Histogram({
    name: 'portcullis_http_request_duration_seconds',
    help: 'Time to answer a request on the public port, by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: REQUEST_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: 'portcullis_tokens_issued_total',
    help: 'Tokens issued by the token endpoint, by grant type and kind of token.',
    labelNames: ['grant_type', 'token'] as const,
    registers,
  });
  const signInFailures = new Counter({
    name: 'portcullis_sign_in_failures_total',
    help: 'Sign-ins refused for a wrong email or password.',
    registers,
  });
  const clientAuthFailures = new Counter({
    name: 'portcullis_client_auth_failures_total',
    help: 'Client authentications refused for a wrong secret (token, introspection, revocation).',
    registers,
  });
  const lockouts = new Counter({
    name: 'portcullis_lockouts_total',
    help: 'Lockouts begun, by throttle (login, client-auth) and by what was locked out (subject, ip).',
    labelNames: ['throttle', 'by'] as const,
    registers,
  });
  const throttled = new Counter({
    name: 'portcullis_throttled_attempts_total',
    help: 'Attempts refused with 429 because of earlier failures, by throttle.',
    labelNames: ['throttle'] as const,
    registers,
  });
  const refreshReuse = new Counter({
    name: 'portcullis_refresh_token_reuse_total',
    help: 'Rotated refresh tokens presented again; each revoked its grant.',
    registers,
  });
  const storage = new Histogram({
    name: 'portcullis_storage_duration_seconds',
    help: 'Time of one storage call: an SQL query, or a Redis command of the oidc-provider models.',
    labelNames: ['store'] as const,
    buckets: STORAGE_BUCKETS,
    registers,
  });
  let signingKeys: () => readonly SigningKeyInForce[] = () => [];
  new Gauge({
    name: 'portcullis_signing_key_age_seconds',
    help: 'How long the key that signs now has been signing, by algorithm.',
    labelNames: ['alg'] as const,
    registers,
    // Read from the key set in force when scraped: nothing to keep up to date in between.
    collect() {
      this.reset();
      const now = Date.now();
      for (const key of signingKeys()) {
        this.set({ alg: key.alg }, (now - key.signingSince.getTime()) / 1000);
      }
    },
  });

  const observeRequest: RequestObserver = (route, method, status, seconds) => {
    requests.observe({ route, method, status }, seconds);
  };
  const tokenObserver: TokenObserver = {
    issued: (grantType, kind) => tokens.inc({ grant_type: grantType, token: kind }),
    refreshTokenReused: () => refreshReuse.inc(),
  };

  return {
    registry,
    observeRequest,
    tokens: tokenObserver,
    /** The observer of one attempt throttle (`login` or `client-auth`). */
    attempts(throttle: 'login' | 'client-auth'): AttemptObserver {
      const failures = throttle === 'login' ? signInFailures : clientAuthFailures;
      return {
        failed: () => failures.inc(),
        lockedOut: (by) => lockouts.inc({ throttle, by }),
        refused: () => throttled.inc({ throttle }),
      };
    },
    /** Times the calls to one store, its label bound once rather than passed with every call. */
    storage(store: StoreName): DurationObserver {
      return storage.labels({ store }).observe;
    },
    /** Where the signing-key age comes from: the key set in force, read at each scrape. */
    watchSigningKeys(source: () => readonly SigningKeyInForce[]): void {
      signingKeys = source;
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
