import type { KoaContextWithOIDC, Session } from 'oidc-provider';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { sessionTtl, signedInTooLongAgo } from '../../src/oidc/ttl.ts';

const NOW = Date.parse('2026-12-02T12:00:00Z') / 1000;
const ctx = {} as KoaContextWithOIDC;
const session = (loginTs?: number) => ({ loginTs }) as Session;
const ttl = sessionTtl({ session: 7 * 86_400, sessionIdle: 86_400 });

describe('the browser session lifetime', () => {
  beforeEach(() => vi.useFakeTimers({ now: NOW * 1000 }));
  afterEach(() => vi.useRealTimers());

  it('is the idle timeout while the absolute lifetime is further away', () => {
    expect(ttl(ctx, session(NOW))).toBe(86_400);
    expect(ttl(ctx, session(NOW - 5 * 86_400))).toBe(86_400);
  });

  it('never reaches past the absolute lifetime counted from the sign-in', () => {
    expect(ttl(ctx, session(NOW - 7 * 86_400 + 600))).toBe(600);
  });

  it('is a second, the least oidc-provider takes, once the absolute lifetime is over', () => {
    expect(ttl(ctx, session(NOW - 8 * 86_400))).toBe(1);
  });

  it('counts a session with no sign-in yet from now', () => {
    expect(ttl(ctx, session())).toBe(86_400);
  });

  it('tells a session whose absolute lifetime is over', () => {
    expect(signedInTooLongAgo(session(NOW - 600), 600)).toBe(true);
    expect(signedInTooLongAgo(session(NOW - 599), 600)).toBe(false);
    expect(signedInTooLongAgo(session(), 600)).toBe(false);
    expect(signedInTooLongAgo(undefined, 600)).toBe(false);
  });
});
