import type { Adapter, AdapterFactory } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { DependencyUnavailableError } from '../shared/errors.ts';

/**
 * How "storage is down" reaches a client. oidc-provider catches whatever an adapter throws and
 * answers a 500 `server_error`, unless the error is one of its own that it may expose: then it
 * answers with that error's status and code, as JSON for programs and through `renderError` for
 * browsers. So a DependencyUnavailableError from storage becomes this exposed 503
 * `temporarily_unavailable`. It never redirects back to the client: the person sees our error
 * page, since the authorization request could not even be read.
 */
export class TemporarilyUnavailable extends errors.OIDCProviderError {
  constructor(cause: DependencyUnavailableError) {
    super(503, 'temporarily_unavailable', { cause });
    this.error_description = cause.message;
    this.expose = true;
    this.allow_redirect = false;
  }
}

type AnyMethod = (...args: never[]) => Promise<unknown>;

/** The same function, with an unavailable store surfacing as the exposed 503 above. */
export function translated<M extends AnyMethod>(method: M): M {
  return (async (...args: Parameters<M>) => {
    try {
      return await method(...args);
    } catch (error) {
      throw error instanceof DependencyUnavailableError ? new TemporarilyUnavailable(error) : error;
    }
  }) as M;
}

/** Wraps every adapter the factory makes so that an unavailable store surfaces as a 503. */
export function failClosedWhenUnavailable(factory: AdapterFactory): AdapterFactory {
  return (model) => {
    const adapter: Adapter = factory(model);
    return {
      upsert: translated(adapter.upsert.bind(adapter)),
      find: translated(adapter.find.bind(adapter)),
      findByUserCode: translated(adapter.findByUserCode.bind(adapter)),
      findByUid: translated(adapter.findByUid.bind(adapter)),
      consume: translated(adapter.consume.bind(adapter)),
      destroy: translated(adapter.destroy.bind(adapter)),
      revokeByGrantId: translated(adapter.revokeByGrantId.bind(adapter)),
    };
  };
}
