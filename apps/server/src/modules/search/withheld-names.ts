import type { FilterCond } from '../authz/index.ts';

/**
 * A finite set of names every capability a condition refuses is named by, or undefined when the condition does
 * not bound them (it refuses by kind, say). "Deny one capability by name" (docs/policies.md) gives its name;
 * search then finds the few withheld capabilities by the name index instead of probing every server it counts
 * (one-word.repo.ts). Sound, not complete: `undefined` only costs the probes.
 */
export function refusedNames(c: FilterCond): readonly string[] | undefined {
  const names = refused(c);
  return names === undefined ? undefined : [...names].sort();
}

type Names = ReadonlySet<string> | undefined;

const union = (sets: Names[]): Names =>
  sets.some((s) => s === undefined) ? undefined : new Set(sets.flatMap((s) => [...s!]));
const smallest = (sets: Names[]): Names =>
  sets.reduce<Names>(
    (best, s) => (s !== undefined && (best === undefined || s.size < best.size) ? s : best),
    undefined,
  );

/** Names N such that `not c` implies the capability's name is in N. */
function refused(c: FilterCond): Names {
  switch (c.op) {
    case 'const':
      return c.value ? new Set() : undefined;
    case 'not':
      return implied(c.arg);
    // Refused when any part refuses: the union of theirs.
    case 'and':
      return union(c.args.map(refused));
    // Refused only when every part refuses: any bounded part bounds it.
    case 'or':
      return c.args.length === 0 ? undefined : smallest(c.args.map(refused));
    default:
      return undefined;
  }
}

/** Names N such that `c` implies the capability's name is in N. */
function implied(c: FilterCond): Names {
  switch (c.op) {
    case 'const':
      return c.value ? undefined : new Set();
    case 'eq':
      return c.attr === 'capability.name' ? new Set([c.value]) : undefined;
    case 'not':
      return refused(c.arg);
    case 'and':
      return c.args.length === 0 ? undefined : smallest(c.args.map(implied));
    case 'or':
      return union(c.args.map(implied));
    default:
      return undefined;
  }
}
