import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run bench`: runs every `bench/<name>/*.bench.ts` in its own Node process (one at a time, so they do not
 * compete for the two cores) and exits non-zero if any missed its target. `npm run bench -- search` runs one.
 */
const root = import.meta.dirname;
const only = process.argv.slice(2);
const benches = readdirSync(root)
  .filter((d) => statSync(join(root, d)).isDirectory() && (only.length === 0 || only.includes(d)))
  .flatMap((d) =>
    readdirSync(join(root, d))
      .filter((f) => f.endsWith('.bench.ts'))
      .map((f) => join(root, d, f)),
  );

let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n== ${file.slice(root.length + 1)}\n`);
  const r = spawnSync(process.execPath, [file], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.stdout.write(`\n${benches.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
