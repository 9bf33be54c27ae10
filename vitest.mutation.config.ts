import { defineConfig } from 'vitest/config';
import { MUTATION_AREAS, selectAreas, testFilesOf } from './scripts/mutation/areas.ts';

// The tests Stryker runs against each mutant (`npm run mutate`, stryker.config.mjs): unit tests only, as the
// root config's `int` project needs PostgreSQL and real peers. For a run over some areas (MUTATE_AREAS, set by
// scripts/mutation/run.ts and inherited by Stryker's test runner processes) only the unit tests beside those
// areas' files. The choice lives here rather than in Stryker's `testFiles` option because Stryker 10.1.1 then
// activates static mutants after their module has loaded, so every one of them survives
// (stryker-mutator/stryker-js#6144).
const selected = selectAreas((process.env.MUTATE_AREAS ?? '').split(',').filter(Boolean));
const areas = 'areas' in selected ? selected.areas : MUTATION_AREAS;

export default defineConfig({
  test: {
    include: [...new Set(areas.flatMap(testFilesOf))],
    exclude: ['**/*.int.test.ts', '**/node_modules/**'],
    // As the unit project (vitest.config.ts): a test that times out on busy cores fails, and a failing test
    // counts its mutant as killed, so the margin keeps load from passing for a detection.
    testTimeout: 30_000,
  },
});
