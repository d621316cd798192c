import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          // A worker runs its files one after another in one process, with the modules it loaded:
          // a process per file would import the server again and compile PGlite's WebAssembly
          // again, which cost about half the time of these suites. So a file must leave nothing
          // behind (close what it starts), and one that mocks a module must import what uses the
          // mock after vi.resetModules() (see accounts.test.ts).
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
