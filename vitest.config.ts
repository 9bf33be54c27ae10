import { defineConfig } from 'vitest/config';

// Two tiers, told apart by file suffix: `*.test.ts` are unit tests (pure, no network, frozen clock);
// `*.int.test.ts` run against real PostgreSQL and real peers started on 127.0.0.1.
export default defineConfig({
  test: {
    // Vitest's default is one worker fewer than the cores: on CI's 2 cores, one file at a time. The integration
    // files mostly wait (on PostgreSQL, on child processes, on real timers), so a second file overlaps that wait
    // instead of idling a core (docs/testing.md has the figures).
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'apps/**/src/**/*.test.ts',
            'packages/**/src/**/*.test.ts',
            'apps/server/test/**/*.test.ts',
          ],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
          // Some unit tests build Cedar policy sets (WebAssembly) per case: well under a second on a quiet machine,
          // but CI's 2 shared cores once stretched one past the 5 s default. Speed is bench/'s job, not a timeout's.
          testTimeout: 30_000,
          // Unit tests are pure (no module mocks, no globals left changed), so a worker keeps the modules it has
          // loaded from one file to the next instead of importing Cedar, Fastify and the rest again per file: the
          // project went from 84 s to 27 s on CI's cores, most of it imports (docs/testing.md).
          isolate: false,
        },
      },
      {
        test: {
          name: 'int',
          include: ['apps/**/*.int.test.ts', 'packages/**/*.int.test.ts', 'bench/**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['apps/server/test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          pool: 'forks',
        },
      },
    ],
  },
});
