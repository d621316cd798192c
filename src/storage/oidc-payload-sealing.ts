import type { AdapterPayload } from 'oidc-provider';

/**
 * Encryption under the key-encryption key, as the composition root hands it to storage (the
 * key-encryption key is the domain's: see domain/key-encryption.ts). `context` is bound to the
 * ciphertext, so that it opens only where it was sealed.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  open(sealed: string, context: string): string;
}

/**
 * What of an oidc-provider payload is stored, for the models whose id is a bearer value
 * (oidc-hashed-ids.ts). The id is stored hashed, but oidc-provider also copies bearer values into
 * payloads; each copy is left out, replaced or sealed here, and given back on the way out:
 *
 * - `jti`, the id itself, in every payload: left out; `find(id)` is handed the id and puts it
 *   back. An entry found by something else than its id comes back without it, which
 *   oidc-provider 9 is fine with for a session found by its uid (it compares the account and
 *   the grant, lib/models/token_helpers.js and provider.js) but not for a device code found by
 *   its user code (it saves the code again, lib/actions/code_verification.js): a device code's
 *   jti is kept sealed under the key-encryption key.
 * - An interaction's `returnTo` (the resume URL, which ends with the interaction's id): the id is
 *   replaced by ID_MARK, which a serialised URL cannot hold (`{` is percent-encoded).
 * - An interaction's `session.cookie` (the session id): left out; oidc-provider never reads it
 *   back, and neither do our interaction routes.
 * - An interaction's `deviceCode` (the device code's jti): sealed.
 */
const ID_MARK = '{id}';
const SEALED_JTI = 'sealedJti';
const JTI_KEPT_SEALED: ReadonlySet<string> = new Set(['DeviceCode']);

export function sealPayload(
  model: string,
  id: string,
  payload: AdapterPayload,
  box: SecretBox,
): AdapterPayload {
  // A copy: oidc-provider's object stays as it is. Its jti is always the id; a jti that is not
  // the id is no copy of it, and is kept.
  const { jti, ...stored } = payload;
  if (jti !== id) stored.jti = jti;
  else if (JTI_KEPT_SEALED.has(model)) stored[SEALED_JTI] = box.seal(id, jtiContext(model, stored));
  return model === 'Interaction' ? sealInteraction(id, stored, box) : stored;
}

/** The payload as oidc-provider saved it; `id` is the value it was asked for, when it was. */
export function openPayload(
  model: string,
  stored: AdapterPayload | undefined,
  id: string | undefined,
  box: SecretBox,
): AdapterPayload | undefined {
  if (!stored) return undefined;
  const { [SEALED_JTI]: sealed, ...payload } = stored;
  const jti =
    payload.jti ??
    id ??
    (typeof sealed === 'string' ? box.open(sealed, jtiContext(model, payload)) : undefined);
  if (jti !== undefined) payload.jti = jti;
  return model === 'Interaction' && id !== undefined ? openInteraction(id, payload, box) : payload;
}

// Bound to the user code a device code is found by, so a sealed jti cannot be moved to another.
const jtiContext = (model: string, payload: AdapterPayload) =>
  `${model}.jti:${payload.userCode ?? ''}`;
const deviceCodeContext = (interactionId: string) => `Interaction.deviceCode:${interactionId}`;

function sealInteraction(id: string, payload: AdapterPayload, box: SecretBox): AdapterPayload {
  const { returnTo, session, deviceCode } = payload;
  if (typeof returnTo === 'string') payload.returnTo = returnTo.replaceAll(id, ID_MARK);
  if (session?.cookie !== undefined) {
    const { cookie: _cookie, ...rest } = session;
    payload.session = rest;
  }
  if (typeof deviceCode === 'string')
    payload.deviceCode = box.seal(deviceCode, deviceCodeContext(id));
  return payload;
}

function openInteraction(id: string, payload: AdapterPayload, box: SecretBox): AdapterPayload {
  const { returnTo, deviceCode } = payload;
  if (typeof returnTo === 'string') payload.returnTo = returnTo.replaceAll(ID_MARK, id);
  if (typeof deviceCode === 'string')
    payload.deviceCode = box.open(deviceCode, deviceCodeContext(id));
  return payload;
}
