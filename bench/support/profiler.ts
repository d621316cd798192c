import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * V8's CPU profiler (the one behind `node --cpu-prof`), started and stopped on demand, so that
 * a profile covers one scenario's load and not the start-up, seeding or the other scenarios.
 */
export function createProfiler() {
  let session: Session | undefined;
  return {
    async start(): Promise<void> {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    },
    /** Writes the profile as a .cpuprofile file (Chrome DevTools, speedscope) and returns it. */
    async stop(file: string): Promise<string> {
      if (!session) throw new Error('the profiler is not running');
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      session = undefined;
      writeFileSync(file, JSON.stringify(profile));
      return file;
    },
  };
}
