import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layout rules of ARCHITECTURE.md as machine checks over the import graph and the source text, so a
 * violation fails `npm run check` instead of waiting for a reviewer.
 */
const SRC = resolve(import.meta.dirname, '..', 'src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = walk(SRC)
  .filter((f) => !f.endsWith('.test.ts'))
  .map((abs) => ({ abs, rel: relative(SRC, abs), text: readFileSync(abs, 'utf8') }));

const IMPORT_RE = /^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm;
function importsOf(f: { abs: string; text: string }) {
  return [...f.text.matchAll(IMPORT_RE)].map((m) => {
    const spec = m[1]!;
    return { spec, target: spec.startsWith('.') ? relative(SRC, resolve(f.abs, '..', spec)) : undefined };
  });
}

const moduleOf = (rel: string) => (rel.startsWith('modules/') ? rel.split('/')[1] : undefined);
const layerOf = (rel: string) => rel.split('/')[0]!;

describe('architecture rules', () => {
  it('a module reaches another module only through its index.ts', () => {
    const bad: string[] = [];
    for (const f of files) {
      const from = moduleOf(f.rel);
      for (const i of importsOf(f)) {
        if (i.target === undefined || !i.target.startsWith('modules/')) continue;
        const to = moduleOf(i.target);
        const viaIndex = i.target === `modules/${to}/index.ts`;
        if (from !== to && !viaIndex) bad.push(`${f.rel} -> ${i.target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('modules depend on each other without cycles', () => {
    const edges = new Map<string, Set<string>>();
    for (const f of files) {
      const from = moduleOf(f.rel);
      if (from === undefined) continue;
      for (const i of importsOf(f)) {
        const to = i.target === undefined ? undefined : moduleOf(i.target);
        if (to !== undefined && to !== from) {
          if (!edges.has(from)) edges.set(from, new Set());
          edges.get(from)!.add(to);
        }
      }
    }
    const cycles: string[] = [];
    const visit = (n: string, path: string[]) => {
      if (path.includes(n)) {
        cycles.push([...path.slice(path.indexOf(n)), n].join(' -> '));
        return;
      }
      for (const m of edges.get(n) ?? []) visit(m, [...path, n]);
    };
    for (const n of edges.keys()) visit(n, []);
    expect(cycles).toEqual([]);
  });

  it('platform and kernel never import a module or an adapter, and kernel imports nothing of ours', () => {
    const bad: string[] = [];
    for (const f of files) {
      const layer = layerOf(f.rel);
      for (const i of importsOf(f)) {
        if (i.target === undefined) continue;
        const to = layerOf(i.target);
        if (layer === 'platform' && !['platform', 'kernel'].includes(to)) bad.push(`${f.rel} -> ${i.target}`);
        if (layer === 'kernel' && to !== 'kernel') bad.push(`${f.rel} -> ${i.target}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('only config/ reads process.env', () => {
    const bad = files
      .filter((f) => !f.rel.startsWith('config/') && /process\.env\b/.test(f.text))
      .map((f) => f.rel);
    expect(bad).toEqual([]);
  });

  it('SQL appears only in *.repo.ts files and platform/db', () => {
    const SQL =
      /\.(selectFrom|insertInto|updateTable|deleteFrom)\(|\bsql`|['`]\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|GRANT)\s/;
    const bad = files
      .filter((f) => !f.rel.endsWith('.repo.ts') && !f.rel.startsWith('platform/db/') && SQL.test(f.text))
      .map((f) => f.rel);
    expect(bad).toEqual([]);
  });

  it('only platform/egress opens outbound HTTP connections', () => {
    const NET =
      /from\s+'(undici|node:https|node:http2|node:tls|https|http2|tls)'|(?<![.\w])fetch\(|globalThis\.fetch/;
    const bad = files
      .filter((f) => !f.rel.startsWith('platform/egress/') && NET.test(f.text))
      .map((f) => f.rel);
    expect(bad).toEqual([]);
  });
});
