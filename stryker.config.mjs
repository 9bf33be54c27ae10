// @ts-check
/**
 * StrykerJS over the pure logic named in issue 10, point 10 (areas and their files: scripts/mutation/areas.ts).
 * Run it with `npm run mutate` (all areas, then a score per area) or `npm run mutate -- egress`; see
 * docs/mutation.md. It is slow, so it is not part of `npm test` or CI.
 */
import { MUTATION_AREAS, reportDir, selectAreas } from './scripts/mutation/areas.ts';

// The wrapper (scripts/mutation/run.ts) runs one area at a time; a bare `npx stryker run` takes them all at once,
// which is slower (a static mutant then reruns the tests of every area).
const names = (process.env.MUTATE_AREAS ?? '').split(',').filter(Boolean);
const selected = selectAreas(names);
if ('unknown' in selected) {
  throw new Error(
    `unknown area ${selected.unknown.join(', ')}; known: ${MUTATION_AREAS.map((a) => a.name).join(', ')}`,
  );
}
const out = reportDir(selected.areas);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  mutate: selected.areas.flatMap((a) => a.files),
  // The tests to run are chosen in vitest.mutation.config.ts, not with `testFiles` (see there why).
  // Two cores shared with the rest of the machine: one runner by default (`--concurrency 2` when it is free).
  concurrency: 1,
  // A busy machine slows tests down; a generous margin keeps slow runs from being counted as timeouts (kills).
  timeoutMS: 10_000,
  // Off by default: `--incremental` reuses the results of mutants whose code and covering tests did not change,
  // which is quick while writing tests, but a static mutant has no covering tests, so its old result is kept
  // whatever tests were added or removed since. Scores that are reported come from a full run.
  incremental: false,
  incrementalFile: `${out}/incremental.json`,
  reporters: ['progress', 'clear-text', 'html', 'json'],
  clearTextReporter: { reportTests: false, logTests: false, reportMutants: false },
  htmlReporter: { fileName: `${out}/mutation.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
