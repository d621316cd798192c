import { setTimeout as sleep } from 'node:timers/promises';
import { errors } from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePayloads } from '../../src/storage/oidc-payload-writes.ts';
import { createSqlAdapter } from '../../src/storage/oidc-sql-adapter.ts';
import { currentScope, requestScopes } from '../../src/storage/request-scope.ts';
import { sqlBackends, type TestDatabase } from '../support/backends.ts';

describe.each(sqlBackends)('SQL adapter consume grace window on $name', (backend) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await backend.create();
  });
  afterAll(() => database?.drop());

  const adapter = (seconds: number) =>
    createSqlAdapter(database.handle.db, 'RefreshToken', { consumeGraceSeconds: seconds });

  it('reads a just-consumed entry as unconsumed and lets it be consumed again', async () => {
    const tokens = adapter(30);
    await tokens.upsert('in-window', { jti: 'in-window' }, 60);
    await tokens.consume('in-window');
    expect((await tokens.find('in-window'))?.consumed).toBeUndefined();
    await expect(tokens.consume('in-window')).resolves.toBeUndefined();
  });

  it('lets every one of many concurrent consumptions within the window succeed', async () => {
    const tokens = adapter(30);
    await tokens.upsert('concurrent', { jti: 'concurrent' }, 60);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => tokens.consume('concurrent')),
    );
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
  });

  it('shows the first consumption and refuses another once the window has passed', async () => {
    const tokens = adapter(2);
    await tokens.upsert('after-window', { jti: 'after-window' }, 60);
    const before = Math.floor(Date.now() / 1000);
    await tokens.consume('after-window');
    await sleep(1_000);
    // A consumption inside the window does not move its start.
    await tokens.consume('after-window');
    await sleep(1_500);

    const consumed = (await tokens.find('after-window'))?.consumed;
    expect(consumed).toBeGreaterThanOrEqual(before - 1);
    expect(consumed).toBeLessThanOrEqual(before + 1);
    await expect(tokens.consume('after-window')).rejects.toBeInstanceOf(errors.InvalidGrant);
  });

  it('marks a request that consumes again within the window a replay, and stores no refresh token it issues', async () => {
    const tokens = adapter(30);
    const inRequest = requestScopes((rows) => writePayloads(database.handle.db, rows));
    await tokens.upsert('replayed', { jti: 'replayed' }, 60);
    const rotate = (successor: string) =>
      inRequest({}, async () => {
        await tokens.consume('replayed');
        await tokens.upsert(successor, { jti: successor }, 60);
        return currentScope()?.replayedRefresh;
      });

    expect(await rotate('first-successor')).toBe(false);
    expect(await rotate('second-successor')).toBe(true);
    expect(await tokens.find('first-successor')).toMatchObject({ jti: 'first-successor' });
    expect(await tokens.find('second-successor')).toBeUndefined();
  });

  it('refuses to consume an entry that does not exist', async () => {
    await expect(adapter(30).consume('never-stored')).rejects.toBeInstanceOf(errors.InvalidGrant);
  });
});
