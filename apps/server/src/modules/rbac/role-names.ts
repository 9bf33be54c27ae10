import { unknownRoleNames } from './rbac.errors.ts';

/** Role names to ids, in order; 422 naming each name that is not a role of the org, at `pointer`/<index>. */
export function namesToIds(
  rows: readonly { id: string; name: string }[],
  names: readonly string[],
  pointer: string,
): string[] {
  const byName = new Map(rows.map((r) => [r.name, r.id]));
  const missing = names.flatMap((name, index) => (byName.has(name) ? [] : [{ index, name }]));
  if (missing.length > 0) throw unknownRoleNames(pointer, missing);
  return names.map((n) => byName.get(n)!);
}
