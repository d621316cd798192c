import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';

/** A stand-in for argon2 whose hashes finish when the test says so, counting those in flight. */
const fake = vi.hoisted(() => {
  const state = {
    inFlight: 0,
    mostInFlight: 0,
    started: [] as string[],
    finish: [] as ((outcome: 'ok' | 'throw') => void)[],
  };
  const work = (label: string) =>
    new Promise<boolean>((resolve, reject) => {
      state.inFlight += 1;
      state.mostInFlight = Math.max(state.mostInFlight, state.inFlight);
      state.started.push(label);
      state.finish.push((outcome) => {
        state.inFlight -= 1;
        if (outcome === 'throw') reject(new Error('argon2 failed'));
        else resolve(true);
      });
    });
  return { state, work };
});

vi.mock('argon2', () => ({
  default: {
    argon2id: 2,
    verify: (_hash: string, password: string) => fake.work(password),
    hash: (password: string) => fake.work(password).then(() => `hash of ${password}`),
  },
}));

const { hashPassword, verifyPassword } = await import('../../src/domain/password.ts');
const { DependencyUnavailableError } = await import('../../src/shared/errors.ts');

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('password hashing under a burst of logins', () => {
  const cores = availableParallelism();

  afterEach(() => {
    fake.state.inFlight = 0;
    fake.state.mostInFlight = 0;
    fake.state.started = [];
    fake.state.finish = [];
  });

  it('computes at most one hash per core at a time, the others waiting their turn in order', async () => {
    const labels = Array.from({ length: cores * 3 }, (_, index) => `password-${index}`);
    const results = labels.map((label, index) =>
      index % 2 === 0 ? verifyPassword('stored', label) : hashPassword(label),
    );
    await settle();
    expect(fake.state.inFlight).toBe(cores);
    expect(fake.state.started).toEqual(labels.slice(0, cores));

    // One finishing lets exactly one more start, the next in line.
    fake.state.finish[0]?.('ok');
    await settle();
    expect(fake.state.inFlight).toBe(cores);
    expect(fake.state.started).toEqual(labels.slice(0, cores + 1));

    for (let done = 1; done < labels.length; done += 1) {
      fake.state.finish[done]?.('ok');
      await settle();
    }
    await Promise.all(results);
    expect(fake.state.mostInFlight).toBe(cores);
    expect(fake.state.started).toEqual(labels);
  });

  it('frees the turn of a hash that fails', async () => {
    const first = Array.from({ length: cores }, (_, index) =>
      verifyPassword('stored', `a${index}`),
    );
    const waiting = verifyPassword('stored', 'next');
    await settle();
    expect(fake.state.started).not.toContain('next');
    fake.state.finish[0]?.('throw');
    await expect(first[0]).rejects.toThrow('argon2 failed');
    await settle();
    expect(fake.state.started).toContain('next');
    for (const finish of fake.state.finish.slice(1)) finish('ok');
    expect(await Promise.all([...first.slice(1), waiting])).toEqual(
      Array.from({ length: cores }, () => true),
    );
  });

  it('refuses a hash at once (503) when 8 per core are already waiting, and takes them again after', async () => {
    const admitted = Array.from({ length: cores * 9 }, (_, index) => hashPassword(`p${index}`));
    await settle();

    await expect(verifyPassword('stored', 'one too many')).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
    expect(fake.state.started).not.toContain('one too many');

    for (let done = 0; done < admitted.length; done += 1) {
      fake.state.finish[done]?.('ok');
      await settle();
    }
    await Promise.all(admitted);
    const later = verifyPassword('stored', 'later');
    await settle();
    fake.state.finish.at(-1)?.('ok');
    expect(await later).toBe(true);
  });
});
