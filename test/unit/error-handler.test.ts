import { errors } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.ts';
import { problemOf } from '../../src/http/error-handler.ts';
import { DependencyUnavailableError, DomainError } from '../../src/shared/errors.ts';

describe('how an error is stated in a response', () => {
  it('states a 4xx of ours with its code and message', () => {
    const error = new DomainError(
      'invalid_request',
      'the form expired; go back and try again',
      403,
    );
    expect(problemOf(error)).toEqual({
      status: 403,
      error: 'invalid_request',
      description: 'the form expired; go back and try again',
    });
  });

  it('states an unavailable dependency as 503 temporarily_unavailable', () => {
    const error = new DependencyUnavailableError('redis', new Error('ECONNREFUSED'));
    expect(problemOf(error)).toMatchObject({ status: 503, error: 'temporarily_unavailable' });
    expect(problemOf(error).description).not.toContain('ECONNREFUSED');
  });

  it('keeps a 5xx of ours for the operator: a plain server_error, no message', () => {
    const kek = new DomainError('key_decryption_failed', 'PORTCULLIS_KEY_ENCRYPTION_KEY ...', 500);
    for (const error of [kek, new ConfigError(['port (PORT): bad'])]) {
      expect(problemOf(error)).toEqual({
        status: 500,
        error: 'server_error',
        description: 'An unexpected error occurred.',
      });
    }
  });

  it("states oidc-provider's errors with their own code, an expired sign-in as session_not_found", () => {
    expect(problemOf(new errors.InvalidRequest('bad thing'))).toMatchObject({
      status: 400,
      error: 'invalid_request',
    });
    expect(problemOf(new errors.SessionNotFound('no cookie'))).toEqual({
      status: 400,
      error: 'session_not_found',
      description: '',
    });
  });

  it("states Koa's 4xx as invalid_request and anything else as server_error", () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413 });
    expect(problemOf(tooLarge)).toEqual({
      status: 413,
      error: 'invalid_request',
      description: 'The request could not be read.',
    });
    expect(problemOf(new TypeError('x is undefined'))).toMatchObject({
      status: 500,
      error: 'server_error',
    });
    expect(problemOf(undefined)).toMatchObject({ status: 500, error: 'server_error' });
  });
});
