/**
 * The machine's own ceiling for password logins: argon2id verifications per second at the
 * parameters Portcullis uses (src/domain/password.ts), with one verification in flight per core.
 * A child process of its own, run while nothing else of the benchmark is.
 */
import { hashPassword, verifyPassword } from '../src/domain/password.ts';
import { announceReady, serve } from './support/child-side.ts';

export interface CeilingResult {
  verifications: number;
  seconds: number;
  perSecond: number;
}

const PASSWORD = 'correct horse battery staple';

const api = {
  async run(params: { seconds: number; concurrency: number }): Promise<CeilingResult> {
    const hash = await hashPassword(PASSWORD);
    const started = performance.now();
    const deadline = started + params.seconds * 1000;
    let verifications = 0;
    const lane = async () => {
      while (performance.now() < deadline) {
        if (!(await verifyPassword(hash, PASSWORD))) throw new Error('argon2 verify failed');
        verifications += 1;
      }
    };
    await Promise.all(Array.from({ length: params.concurrency }, lane));
    const seconds = (performance.now() - started) / 1000;
    return { verifications, seconds, perSecond: verifications / seconds };
  },
};

export type Argon2CeilingApi = typeof api;

serve(api);
announceReady({});
