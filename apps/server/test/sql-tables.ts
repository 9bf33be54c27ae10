/**
 * Reads which tables source text declares and names, for the ownership rules of `architecture.test.ts`
 * (issue 9 point 3, ADR 0035). Text, not a parser: it relies on the house style (Kysely calls with the table
 * as a string literal; raw SQL keywords in upper case, identifiers in lower case), which the rules themselves
 * keep in place, and it errs towards reporting a name rather than missing one.
 */

/** Tables each `interface XTables { table: Type; ... }` of a schema file declares. */
export function declaredTables(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\binterface\s+\w+Tables\b[^{]*\{([^}]*)\}/g)) {
    for (const member of m[1]!.matchAll(/^\s*([a-z_][a-z0-9_]*)\??\s*:/gm)) out.push(member[1]!);
  }
  return out;
}

/** Tables and views a migration creates (`CREATE TABLE`, `CREATE VIEW`), its `--` comments aside. */
export function createdTables(text: string): string[] {
  const sql = text.replace(/--.*$/gm, '');
  return [...sql.matchAll(/\bCREATE\s+(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z_][a-z0-9_]*)/g)].map(
    (m) => m[1]!,
  );
}

/** The query builder's table arguments: `selectFrom('servers as s')`, `leftJoin('capability_versions as v', ...)`. */
const BUILDER =
  /\.(?:selectFrom|insertInto|updateTable|deleteFrom|mergeInto|(?:inner|left|right|full|cross)Join(?:Lateral)?)\(\s*'([a-z_][a-z0-9_]*)/g;
/** Raw SQL: the relation after FROM, JOIN, INTO and UPDATE; a name followed by `(` after FROM or JOIN is a function. */
const RAW = /\b(FROM|JOIN|INTO|UPDATE)\s+([a-z_][a-z0-9_]*)\b(\s*\()?/g;
/** Common table expressions (`issued (id) AS (`, `hits AS MATERIALIZED (`): names a statement makes up. */
const CTE = /\b([a-z_][a-z0-9_]*)\s*(?:\([^)]*\)\s*)?AS\s+(?:NOT\s+)?(?:MATERIALIZED\s+)?\(/g;
/** The tenant guard's reference (`findOwned(tx, { table: 'api_keys', ... })`): a table named in a string. */
const OWNED_REF = /\btable:\s*'([a-z_][a-z0-9_]*)'/g;

/** Source without its comments (TypeScript's, and SQL's `--` lines), whose prose may say FROM or UPDATE. */
const code = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*(?:\/\/|--).*$/gm, '');

/** Names the SQL in `text` makes up as common table expressions. */
export function madeUpNames(text: string): string[] {
  return [...code(text).matchAll(CTE)].map((m) => m[1]!);
}

/**
 * Tables a source file names in SQL, through the query builder or in raw `sql` text. `made` are the names its
 * module's statements make up (a fragment may read a CTE that another file of the module defines).
 */
export function namedTables(text: string, made: ReadonlySet<string> = new Set(madeUpNames(text))): string[] {
  const names = new Set<string>();
  const body = code(text);
  for (const m of body.matchAll(BUILDER)) names.add(m[1]!);
  for (const m of body.matchAll(OWNED_REF)) names.add(m[1]!);
  for (const m of body.matchAll(RAW)) {
    const [, keyword, name, call] = m;
    if (call !== undefined && keyword !== 'INTO') continue;
    if (made.has(name!) || name!.startsWith('pg_')) continue;
    names.add(name!);
  }
  return [...names].sort();
}
