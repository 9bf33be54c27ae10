import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MUTATION_AREAS, reportDir, selectAreas, TARGET_SCORE } from './areas.ts';
import type { AreaScore, MutationReport } from './score.ts';
import { scoreAreas } from './score.ts';

/**
 * `npm run mutate`: StrykerJS over each area of scripts/mutation/areas.ts in turn (one run per area, so a static
 * mutant reruns only that area's tests), then a score per area and the mutants each security area leaves alive.
 * `npm run mutate -- egress cursor` (or `--area egress`) runs some; any other argument goes to Stryker
 * (`--incremental` to reuse the last results while writing tests, `--concurrency 2`). Exits non-zero when Stryker
 * fails or an area scores under the target.
 */
const root = join(import.meta.dirname, '..', '..');
// Stryker options that take no value: a bare word after any other option is that option's value, not an area.
const FLAGS = new Set(['--incremental', '--force', '--dryRunOnly', '--allowEmpty', '--disableBail']);
const names: string[] = [];
const passThrough: string[] = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const arg = args[i] ?? '';
  const prev = args[i - 1] ?? '';
  if (arg === '--area') names.push(...(args[++i] ?? '').split(','));
  else if (arg.startsWith('--area=')) names.push(...arg.slice('--area='.length).split(','));
  else if (arg.startsWith('-') || (prev.startsWith('-') && !prev.includes('=') && !FLAGS.has(prev))) {
    passThrough.push(arg);
  } else names.push(...arg.split(','));
}
const selected = selectAreas(names.filter(Boolean));
if ('unknown' in selected) {
  process.stderr.write(
    `unknown area ${selected.unknown.join(', ')}; known: ${MUTATION_AREAS.map((a) => a.name).join(', ')}\n`,
  );
  process.exit(2);
}

const stryker = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
const started = Date.now();
const scores: (AreaScore & { readonly took: number })[] = [];
const failed: string[] = [];
for (const area of selected.areas) {
  process.stdout.write(`\n== ${area.name}: ${area.title}\n`);
  const t0 = Date.now();
  const run = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs', ...passThrough], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, MUTATE_AREAS: area.name },
  });
  const reportFile = join(root, reportDir([area]), 'mutation.json');
  if (run.status !== 0 || !existsSync(reportFile)) {
    failed.push(`${area.name} (Stryker exit ${run.status ?? run.signal})`);
    continue;
  }
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as MutationReport;
  for (const s of scoreAreas(report, [area])) scores.push({ ...s, took: Date.now() - t0 });
}

const pct = (s: number | null) => (s === null ? 'n/a' : `${s.toFixed(1)}%`);
const rows = scores.map((s) => [
  s.area.name,
  pct(s.score),
  String(s.killed),
  String(s.survived),
  String(s.timeout),
  String(s.noCoverage),
  minutes(s.took),
  s.area.title,
]);
const header = ['area', 'score', 'killed', 'survived', 'timeout', 'no cov', 'took', 'what'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
const out = [
  '',
  `Mutation score per area (target ${TARGET_SCORE}%), ${minutes(Date.now() - started)} in all:`,
];
out.push(line(header), ...rows.map(line));
for (const s of scores.filter((x) => x.area.security && x.survivors.length > 0)) {
  out.push('', `${s.area.name}: mutants left alive (each explained in docs/mutation.md):`);
  for (const m of s.survivors) {
    const what = m.replacement.split('\n')[0]?.slice(0, 80);
    out.push(
      `  ${m.file}:${m.line}:${m.column} ${m.mutator}${m.status === 'NoCoverage' ? ' (no coverage)' : ''} -> ${what}`,
    );
  }
}
const faulty = scores.flatMap((s) =>
  s.survivors.filter((m) => m.ranNoTest).map((m) => `${m.file}:${m.line}`),
);
if (faulty.length > 0) {
  out.push('', `Survived without running a test (a runner fault; run the area again): ${faulty.join(', ')}`);
}
const short = scores.filter((s) => s.score !== null && s.score < TARGET_SCORE).map((s) => s.area.name);
if (short.length > 0) out.push('', `Under ${TARGET_SCORE}%: ${short.join(', ')}`);
if (failed.length > 0) out.push('', `Stryker failed for: ${failed.join(', ')}`);
process.stdout.write(`${out.join('\n')}\n`);
process.exit(short.length > 0 || failed.length > 0 ? 1 : 0);
