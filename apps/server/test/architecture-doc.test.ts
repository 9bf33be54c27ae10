import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Issue 9 point 5: docs/architecture.md's module map is the contributor's picture of the house, so it is checked
 * against the house: the module folders, the tables the migrations create, the imports between modules and the
 * order main.ts builds them in. A map that drifts fails `npm run check`, like docs/errors.md does.
 */
const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const SRC = join(ROOT, 'apps/server/src');
const DOC = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
const MIGRATIONS = join(ROOT, 'apps/server/migrations');

/** The rows of the first Markdown table after `heading`, as header-name -> cell. */
function tableAfter(markdown: string, heading: string): Record<string, string>[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`docs/architecture.md has no "${heading}"`);
  const first = lines.findIndex((l, i) => i > start && l.startsWith('|'));
  const end = lines.findIndex((l, i) => i > first && !l.startsWith('|'));
  const cells = (l: string) =>
    l
      .trim()
      .replace(/^\||\|$/g, '')
      .split('|')
      .map((c) => c.trim());
  const [header, _rule, ...rows] = lines.slice(first, end < 0 ? undefined : end).map(cells);
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ''])));
}

/** The names in backticks in a cell: `a`, `b` -> [a, b]. */
const ticked = (cell: string | undefined) => [...(cell ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

const MAP = tableAfter(DOC, '## Module map').map((r) => ({
  module: ticked(r.module)[0] ?? r.module ?? '',
  tables: ticked(r['tables it owns']),
  dependsOn: ticked(r['depends on']),
}));
const PLATFORM_TABLES = tableAfter(DOC, '### Tables the platform owns').map((r) => ({
  owner: ticked(r['platform part'])[0] ?? '',
  tables: ticked(r['tables it owns']),
}));

const MODULE_DIRS = readdirSync(join(SRC, 'modules'))
  .filter((d) => statSync(join(SRC, 'modules', d)).isDirectory())
  .sort();

/** Tables the migrations leave behind, in file order: created, minus dropped, renames followed. */
function migratedTables(): Set<string> {
  const tables = new Set<string>();
  const name = String.raw`(?:public\.)?"?([a-z_][a-z0-9_]*)"?`;
  for (const file of readdirSync(MIGRATIONS)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    const sql = readFileSync(join(MIGRATIONS, file), 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/--.*$/gm, '');
    const re = new RegExp(
      String.raw`\bCREATE\s+(?:UNLOGGED\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?${name}` +
        String.raw`|\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?${name}` +
        String.raw`|\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?${name}\s+RENAME\s+TO\s+${name}`,
      'gi',
    );
    for (const m of sql.matchAll(re)) {
      if (m[1] !== undefined) tables.add(m[1]);
      if (m[2] !== undefined) tables.delete(m[2]);
      if (m[3] !== undefined && m[4] !== undefined && tables.delete(m[3])) tables.add(m[4]);
    }
  }
  return tables;
}

/** For each module, the other modules its non-test files import (as architecture.test.ts reads imports). */
function moduleImports(): Map<string, Set<string>> {
  const IMPORT_RE = /^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm;
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
    });
  const edges = new Map<string, Set<string>>(MODULE_DIRS.map((m) => [m, new Set()]));
  for (const abs of walk(join(SRC, 'modules'))) {
    const from = relative(join(SRC, 'modules'), abs).split('/')[0]!;
    for (const m of readFileSync(abs, 'utf8').matchAll(IMPORT_RE)) {
      if (!m[1]!.startsWith('.')) continue;
      const target = relative(SRC, resolve(abs, '..', m[1]!)).split('/');
      if (target[0] === 'modules' && target[1] !== from) edges.get(from)!.add(target[1]!);
    }
  }
  return edges;
}

describe('docs/architecture.md module map', () => {
  it('has one row per module folder under modules/, and no row for a module that does not exist', () => {
    const rows = MAP.map((r) => r.module);
    expect({
      missingFromMap: MODULE_DIRS.filter((m) => !rows.includes(m)),
      notAModule: rows.filter((m) => !MODULE_DIRS.includes(m)),
      listedTwice: rows.filter((m, i) => rows.indexOf(m) !== i),
    }).toEqual({ missingFromMap: [], notAModule: [], listedTwice: [] });
  });

  it('lists every table the migrations create under exactly one owner, and no table they do not create', () => {
    const owners = new Map<string, string[]>();
    const claims = [
      ...MAP.map((r) => ({ owner: r.module, tables: r.tables })),
      ...PLATFORM_TABLES.map((r) => ({ owner: r.owner, tables: r.tables })),
    ];
    for (const { owner, tables } of claims) {
      for (const t of tables) owners.set(t, [...(owners.get(t) ?? []), owner]);
    }
    const migrated = migratedTables();
    expect(migrated.size).toBeGreaterThan(0);
    expect({
      withoutOwner: [...migrated].filter((t) => !owners.has(t)).sort(),
      ownedTwice: [...owners].filter(([, o]) => o.length > 1).map(([t, o]) => `${t}: ${o.join(', ')}`),
      notMigrated: [...owners.keys()].filter((t) => !migrated.has(t)).sort(),
    }).toEqual({ withoutOwner: [], ownedTwice: [], notMigrated: [] });
  });

  it('names for each module exactly the modules its code imports', () => {
    const imports = moduleImports();
    const wrong = MAP.filter((r) => imports.has(r.module))
      .map((r) => ({
        module: r.module,
        doc: [...r.dependsOn].sort(),
        code: [...imports.get(r.module)!].sort(),
      }))
      .filter((x) => JSON.stringify(x.doc) !== JSON.stringify(x.code));
    expect(wrong).toEqual([]);
  });

  it('lists modules in dependency order, and in the order main.ts builds them', () => {
    const order = MAP.map((r) => r.module);
    const above = MAP.flatMap((r, i) =>
      r.dependsOn.filter((d) => !order.slice(0, i).includes(d)).map((d) => `${r.module} uses ${d}, below it`),
    );
    expect(above).toEqual([]);
    // `createApiKeysModule` -> `apikeys`, compared with the folder name without dashes (`api-keys`).
    const main = readFileSync(join(SRC, 'main.ts'), 'utf8');
    const built = [...main.matchAll(/\bcreate(\w+)Module\(/g)].map((m) => m[1]!.toLowerCase());
    const flat = (m: string) => m.replaceAll('-', '');
    const mapOrder = order.filter((m) => built.includes(flat(m))).map(flat);
    expect(built.length).toBeGreaterThan(0);
    expect(mapOrder).toEqual(built);
  });
});
