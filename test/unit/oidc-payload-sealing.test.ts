import { randomBytes } from 'node:crypto';
import type { AdapterPayload } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { kekSecretBox } from '../../src/domain/key-encryption.ts';
import { PortcullisError } from '../../src/shared/errors.ts';
import { openPayload, sealPayload } from '../../src/storage/oidc-payload-sealing.ts';

const box = kekSecretBox(randomBytes(32));
const ISSUER = 'https://auth.example.com';

/** The payload's text as a store would keep it. */
const stored = (payload: AdapterPayload) => JSON.stringify(payload);

describe('the payload stored for a model whose id is a bearer value', () => {
  it('leaves the id out of a token and gives it back to find(id)', () => {
    const id = 'refresh-token-value-0123456789abcdefghijklmnop';
    const payload: AdapterPayload = { kind: 'RefreshToken', jti: id, grantId: 'g-1', iat: 1 };

    const sealed = sealPayload('RefreshToken', id, payload, box);

    expect(stored(sealed)).not.toContain(id);
    expect(sealed).toEqual({ kind: 'RefreshToken', grantId: 'g-1', iat: 1 });
    expect(openPayload('RefreshToken', sealed, id, box)).toEqual(payload);
    // oidc-provider's own object is not changed by sealing it.
    expect(payload.jti).toBe(id);
  });

  it('gives a session found by its uid back without the session id, which nothing needs there', () => {
    const id = 'session-id-value-0123456789';
    const payload: AdapterPayload = { kind: 'Session', jti: id, uid: 'uid-1', accountId: 'a-1' };

    const sealed = sealPayload('Session', id, payload, box);

    expect(stored(sealed)).not.toContain(id);
    expect(openPayload('Session', sealed, undefined, box)).toEqual({
      kind: 'Session',
      uid: 'uid-1',
      accountId: 'a-1',
    });
  });

  it("keeps a device code's jti sealed, for the device code found by its user code", () => {
    const id = 'device-code-value-0123456789abcdefghijklmnop';
    const payload: AdapterPayload = { kind: 'DeviceCode', jti: id, userCode: 'ABCD-EFGH' };

    const sealed = sealPayload('DeviceCode', id, payload, box);

    expect(stored(sealed)).not.toContain(id);
    expect(openPayload('DeviceCode', sealed, undefined, box)).toEqual(payload);
    expect(openPayload('DeviceCode', sealed, id, box)).toEqual(payload);
    // Bound to its user code: moved to another device code, it does not open.
    expect(() =>
      openPayload('DeviceCode', { ...sealed, userCode: 'WXYZ-WXYZ' }, undefined, box),
    ).toThrow(PortcullisError);
    // And only under the key-encryption key that sealed it.
    expect(() =>
      openPayload('DeviceCode', sealed, undefined, kekSecretBox(randomBytes(32))),
    ).toThrow(PortcullisError);
  });

  it("keeps no copy of an interaction's id or of its session's id, and restores the resume URL", () => {
    const id = 'interaction-uid-0123456789';
    const sessionId = 'session-id-value-9876543210';
    const payload: AdapterPayload = {
      kind: 'Interaction',
      jti: id,
      returnTo: `${ISSUER}/auth/${id}`,
      session: { uid: 'uid-1', accountId: 'a-1', cookie: sessionId },
      params: { client_id: 'c-1', scope: 'openid' },
      deviceCode: 'device-code-value-0123456789abcdef',
    };

    const sealed = sealPayload('Interaction', id, payload, box);

    const text = stored(sealed);
    for (const value of [id, sessionId, 'device-code-value-0123456789abcdef']) {
      expect(text).not.toContain(value);
    }
    expect(sealed.returnTo).toBe(`${ISSUER}/auth/{id}`);
    expect(openPayload('Interaction', sealed, id, box)).toEqual({
      ...payload,
      session: { uid: 'uid-1', accountId: 'a-1' },
    });
    expect(payload.session?.cookie).toBe(sessionId);
  });
});
