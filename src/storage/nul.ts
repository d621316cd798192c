import { errors } from 'oidc-provider';

/**
 * Postgres stores no U+0000: a text parameter holding one fails its statement ("invalid byte
 * sequence"), and so does a jsonb value holding a \u0000 escape; either would become a 500, and a
 * NUL among the ids of a batched statement would fail the other requests of the batch too. Such a
 * value only ever comes from outside (a parameter, a form field, a command's argument) and can
 * match nothing stored, so the storage functions answer a lookup by it with "not found" without a
 * statement, and refuse to write it.
 */
export function holdsNul(value: string): boolean {
  return value.includes('\u0000');
}

/**
 * Whether JSON text (as JSON.stringify writes it) holds a NUL: JSON.stringify writes U+0000 as
 * the escape \u0000, and a backslash as \\, so a NUL is a \u0000 whose backslash is not itself
 * escaped (an odd run of backslashes). The includes() keeps the common case to one scan.
 */
function jsonHoldsNul(json: string): boolean {
  return json.includes('\\u0000') && NUL_ESCAPE.test(json);
}

const NUL_ESCAPE = /(?<!\\)(?:\\\\)*\\u0000/;

/**
 * Refuses an oidc-provider payload (as JSON text) that holds a NUL: bad input, answered as
 * oidc-provider answers any (400 invalid_request, or back to the client with that error). Both
 * adapters refuse it, Redis too, so that a request gets the same answer whatever the storage.
 */
export function refuseNulPayload(json: string): void {
  if (jsonHoldsNul(json)) {
    throw new errors.InvalidRequest('parameters must not contain the NUL character (U+0000)');
  }
}
