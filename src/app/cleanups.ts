type Closer = () => Promise<void> | void;

/**
 * One stack of clean-ups for everything the composition root opens: each resource pushes its
 * closer as soon as it is open, so a start that fails half-way and a normal close undo the same
 * things, newest first. Written once, it cannot drift between the two paths.
 */
export function createCleanups() {
  const closers: Closer[] = [];
  return {
    /** Registers how to undo what was just opened. */
    defer(closer: Closer): void {
      closers.push(closer);
    },
    /**
     * Runs every closer, newest first, each at most once (a second call has nothing left to do).
     * A closer that fails does not keep the ones under it from running: a Redis that will not
     * close must not leave the database open. Failures are thrown together at the end.
     */
    async run(): Promise<void> {
      const failures: unknown[] = [];
      for (let closer = closers.pop(); closer; closer = closers.pop()) {
        await Promise.resolve()
          .then(closer)
          .catch((error: unknown) => failures.push(error));
      }
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw new AggregateError(failures, 'several clean-ups failed');
    },
  };
}

export type Cleanups = ReturnType<typeof createCleanups>;
