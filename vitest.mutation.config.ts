import { defineConfig } from 'vitest/config';

// The tests Stryker runs against each mutant (`npm run mutate`, stryker.config.mjs): the server's unit tests
// only. The root config's `int` project needs PostgreSQL (its globalSetup starts one) and real peers; mutants of
// pure logic must be killed by tests of that logic, and a mutation run must not start databases.
export default defineConfig({
  test: {
    include: ['apps/server/src/**/*.test.ts'],
    exclude: ['**/*.int.test.ts', '**/node_modules/**'],
  },
});
