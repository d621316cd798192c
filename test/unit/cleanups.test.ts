import { describe, expect, it } from 'vitest';
import { createCleanups } from '../../src/app/cleanups.ts';

describe('the clean-up stack of the composition root', () => {
  it('closes what was opened newest first, waiting for each', async () => {
    const cleanups = createCleanups();
    const closed: string[] = [];
    cleanups.defer(() => {
      closed.push('database');
    });
    cleanups.defer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      closed.push('redis');
    });
    cleanups.defer(() => {
      closed.push('server');
    });
    await cleanups.run();
    expect(closed).toEqual(['server', 'redis', 'database']);
  });

  it('runs each closer once, however often it is run', async () => {
    const cleanups = createCleanups();
    let closes = 0;
    cleanups.defer(() => {
      closes += 1;
    });
    await cleanups.run();
    await cleanups.run();
    expect(closes).toBe(1);
  });

  it('keeps closing after a closer fails, then throws that failure', async () => {
    const cleanups = createCleanups();
    const closed: string[] = [];
    const refused = new Error('redis refused to close');
    cleanups.defer(() => {
      closed.push('database');
    });
    cleanups.defer(async () => {
      throw refused;
    });
    await expect(cleanups.run()).rejects.toBe(refused);
    expect(closed).toEqual(['database']);
  });

  it('throws every failure together when several closers fail', async () => {
    const cleanups = createCleanups();
    const first = new Error('server');
    const second = new Error('database');
    cleanups.defer(() => {
      throw second;
    });
    cleanups.defer(() => {
      throw first;
    });
    const failure = await cleanups.run().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors).toEqual([first, second]);
  });
});
