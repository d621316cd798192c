import { describe, expect, it } from 'vitest';
import { redirectUriKind, redirectUriProblem } from '../../src/domain/redirect-uri.ts';

describe('redirect URIs', () => {
  it.each([
    ['https://app.example.com/callback', 'web'],
    ['https://app.example.com:8443/cb?tenant=a', 'web'],
    ['http://localhost:8080/cb', 'web'],
    ['http://127.0.0.1:51000/cb', 'web'],
    ['http://[::1]:51000/cb', 'web'],
    ['com.example.app:/oauth2redirect', 'native'],
    ['com.example.app:/cb', 'native'],
  ])('accepts %s as a %s redirect URI', (uri, kind) => {
    expect(redirectUriProblem(uri)).toBeUndefined();
    expect(redirectUriKind(uri)).toBe(kind);
  });

  it.each([
    ['http://example.com/cb', 'must use https unless the host is loopback'],
    ['http://localhost.example.com/cb', 'must use https unless the host is loopback'],
    ['https://app.example.com/cb#section', 'must not contain a fragment'],
    ['https://app.example.com/cb#', 'must not contain a fragment'],
    ['https://*.example.com/cb', 'must not contain wildcards'],
    ['https://user:pass@app.example.com/cb', 'must not contain credentials'],
    ['/relative/callback', 'is not an absolute URL'],
    ['not a url', 'is not an absolute URL'],
    ['', 'is not an absolute URL'],
    ['javascript:alert(1)', 'must use https, http on loopback, or a reverse-domain'],
    ['myapp:/cb', 'must use https, http on loopback, or a reverse-domain'],
    ['ftp://example.com/cb', 'must use https, http on loopback, or a reverse-domain'],
    ['https://app.example.com/c b', 'must not contain spaces or control characters'],
    ['https://app.example.com/cb\u0000', 'must not contain spaces or control characters'],
    [' https://app.example.com/cb', 'must not contain spaces or control characters'],
    ['https://app.example.com/cb\t', 'must not contain spaces or control characters'],
  ])('rejects %s: %s', (uri, problem) => {
    expect(redirectUriProblem(uri)).toContain(problem);
  });
});
