import type { Adapter } from 'oidc-provider';
import { errors } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import {
  failClosedWhenUnavailable,
  TemporarilyUnavailable,
} from '../../src/oidc/unavailable-storage.ts';
import { DependencyUnavailableError } from '../../src/shared/errors.ts';
import { guarded } from '../../src/storage/redis.ts';

const failing = (error: unknown): Adapter => {
  const fail = async () => {
    throw error;
  };
  return {
    upsert: fail,
    find: fail,
    findByUid: fail,
    findByUserCode: fail,
    consume: fail,
    destroy: fail,
    revokeByGrantId: fail,
  };
};

describe('storage that does not answer, as oidc-provider sees it', () => {
  it('turns an unavailable store into an exposed 503 temporarily_unavailable, never a redirect', async () => {
    const cause = new DependencyUnavailableError('redis', new Error('ECONNREFUSED'));
    const adapter = failClosedWhenUnavailable(() => failing(cause))('Session');

    for (const call of [
      () => adapter.find('id'),
      () => adapter.upsert('id', {}, 60),
      () => adapter.consume('id'),
      () => adapter.revokeByGrantId('grant'),
    ]) {
      const error = await call().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(TemporarilyUnavailable);
      expect(error).toBeInstanceOf(errors.OIDCProviderError);
      expect(error).toMatchObject({
        status: 503,
        statusCode: 503,
        error: 'temporarily_unavailable',
        expose: true,
        allow_redirect: false,
      });
    }
  });

  it('lets every other error through unchanged', async () => {
    const used = new errors.InvalidGrant('already used');
    const adapter = failClosedWhenUnavailable(() => failing(used))('AuthorizationCode');
    await expect(adapter.consume('id')).rejects.toBe(used);
  });
});

describe('guarded Redis commands', () => {
  it('reports a connection failure as the dependency being unavailable', async () => {
    const offline = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    const error = await guarded(Promise.reject(offline)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ dependency: 'redis', status: 503, cause: offline });
  });

  it('reports a Redis that is loading or read-only as unavailable, a bad command as a bug', async () => {
    const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
    await expect(guarded(Promise.reject(reply('LOADING dataset')))).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
    await expect(guarded(Promise.reject(reply('READONLY replica')))).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
    const bug = reply('ERR wrong number of arguments');
    await expect(guarded(Promise.reject(bug))).rejects.toBe(bug);
  });
});
