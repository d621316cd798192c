import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { DependencyUnavailableError } from '../shared/errors.ts';

// OWASP's minimum for argon2id: 19 MiB of memory, 2 iterations, 1 degree of parallelism.
const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

// NIST SP 800-63B asks for at least 8 when a second factor is possible; 12 for a password alone.
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * How many hashes may wait per core. Past that, a sign-in is refused at once with a 503 rather
 * than queued: a flood of guesses (which the attempt throttle does not stop when it comes from
 * many addresses) then costs its senders, not every person signing in. At 8 per core a waiting
 * hash starts within about 8 verifications' time (some 170 ms).
 */
const HASHES_WAITING_PER_CORE = 8;

/**
 * At most one hash computed per core at a time; the rest wait their turn. argon2 runs on libuv's
 * thread pool (4 threads by default), shared with webcrypto's signatures, file reads and DNS:
 * with one hash per core, a burst of logins neither starves those nor makes the hashes thrash
 * the cores' caches (19 MiB each) between them.
 */
const hashing = limiter(availableParallelism(), availableParallelism() * HASHES_WAITING_PER_CORE);

export function hashPassword(password: string): Promise<string> {
  return hashing(() => argon2.hash(password, options));
}

/**
 * Whether `password` matches `hash`. A failure is not a mismatch: a stored hash argon2 cannot
 * read, or argon2 itself failing, rejects, so that it is answered and logged as the server error
 * it is instead of passing for a wrong password.
 */
export function verifyPassword(hash: string, password: string): Promise<boolean> {
  return hashing(() => argon2.verify(hash, password));
}

/**
 * Runs at most `concurrency` of the functions it is given at once, in the order given, with at
 * most `maxWaiting` waiting; past that it refuses (503).
 */
function limiter(concurrency: number, maxWaiting: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= concurrency) {
      if (waiting.length >= maxWaiting) {
        throw new DependencyUnavailableError('password hashing', 'too many hashes waiting');
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else running += 1;
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

let decoy: Promise<string> | undefined;

/**
 * A hash to verify against when there is no account, so that an unknown email costs the same
 * time as a wrong password and the response gives nothing away.
 */
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword('portcullis decoy password');
  return decoy;
}
