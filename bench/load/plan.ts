/** How long and how hard each path is loaded. */
export interface LoadPlan {
  /** Measured runs per path; the reported figure is their median. */
  runs: number;
  seconds: number;
  /** An unrecorded run first, so that the JIT and the pools are warm. 0 to skip. */
  warmupSeconds: number;
  connections: number;
}

export const FULL_PLAN: LoadPlan = { runs: 3, seconds: 10, warmupSeconds: 2, connections: 16 };
export const QUICK_PLAN: LoadPlan = { runs: 1, seconds: 2, warmupSeconds: 0.5, connections: 16 };
