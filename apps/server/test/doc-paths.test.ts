import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The docs and ADRs point readers at files by path (`modules/policy/owner-rail.ts`). Moves (issue 9's split of
 * identity and access) left dozens of those pointing nowhere; a path a reader cannot open is a broken promise,
 * so every file path the docs name in backticks must be the tail of a file in the repo (ADRs often name a path
 * relative to a folder they named before: `tokens/dpop.ts` after `modules/oauth/`).
 */
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SKIP = new Set(['node_modules', '.git', '.sprintconnect', 'dist', 'coverage', 'reports']);
/** A backticked, slash-containing path with a file extension; globs and placeholders are not paths. */
const PATH = /`([\w.@-]+(?:\/[\w.@-]+)+\.(?:ts|sql|md|json|cjs|mjs))`/g;

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return markdownFiles(full);
    return name.endsWith('.md') ? [full] : [];
  });
}

export function brokenPaths(markdown: string, exists: (path: string) => boolean): string[] {
  // `NNN_name.sql` is the docs' placeholder for "the next migration"; `.vscode/mcp.json` is the user's file.
  return [...markdown.matchAll(PATH)]
    .map((m) => m[1]!)
    .filter((p) => !p.includes('NNN') && !p.startsWith('.') && !exists(p));
}

function repoFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP.has(name) || name.startsWith('.')) return [];
    const full = join(dir, name);
    return statSync(full).isDirectory() ? repoFiles(full) : [relative(ROOT, full)];
  });
}

const FILES = repoFiles(ROOT);
const existsSomewhere = (p: string) => FILES.some((f) => f === p || f.endsWith(`/${p}`));

describe('file paths named in the docs', () => {
  it('a backticked path that names no file is reported, one that does is not', () => {
    const md = 'See `modules/policy/owner-rail.ts` and `modules/access/owner-rail.ts`, not `a/b`.';
    expect(brokenPaths(md, existsSomewhere)).toEqual(['modules/access/owner-rail.ts']);
  });

  it('every file path in README.md and docs/ exists', () => {
    const files = [join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'docs'))];
    const broken = files.flatMap((f) =>
      brokenPaths(readFileSync(f, 'utf8'), existsSomewhere).map((p) => `${relative(ROOT, f)}: ${p}`),
    );
    expect(broken).toEqual([]);
  });
});
