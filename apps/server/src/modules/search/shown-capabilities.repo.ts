import { type RawBuilder, sql } from 'kysely';
import type { FilterCond } from '../authz/index.ts';
import { serverInScope } from '../registry/index.ts';

/** A capability a batch of PDP decisions withheld from the caller. */
export interface CapabilityKey {
  readonly serverId: string;
  readonly kind: string;
  readonly name: string;
}

/**
 * Which capabilities of the servers a search shows the caller may see (ADR 0036): the policy's condition on
 * capabilities when it is a query, or the capabilities a batch of PDP decisions withheld. A withheld
 * capability matches nothing, is listed nowhere and is counted in its server's `withheld`.
 */
export type CapabilityRule =
  | { readonly condition: FilterCond }
  | { readonly withheld: readonly CapabilityKey[] };

const mentionsServer = (c: FilterCond): boolean => {
  switch (c.op) {
    case 'and':
    case 'or':
      return c.args.some(mentionsServer);
    case 'not':
      return mentionsServer(c.arg);
    case 'tag':
      return true;
    case 'eq':
      return c.attr === 'server.name' || c.attr === 'server.environment';
    default:
      return false;
  }
};

/**
 * The condition over a capability row aliased `c` (org_id, server_id, kind, name: the index's own columns) and,
 * for what it says of the server beyond its id, the row `f` of the registry's `ServerFacts` (id, name,
 * environment, tags). Raw `sql`: a tree of any depth over columns of aliases the enclosing statement chooses.
 */
function compile(x: FilterCond, c: string): RawBuilder<boolean> {
  switch (x.op) {
    case 'const':
      return x.value ? sql<boolean>`true` : sql<boolean>`false`;
    case 'and':
    case 'or':
      return x.args.length === 0
        ? compile({ op: 'const', value: x.op === 'and' }, c)
        : sql<boolean>`(${sql.join(
            x.args.map((a) => compile(a, c)),
            x.op === 'and' ? sql` AND ` : sql` OR `,
          )})`;
    case 'not':
      return sql<boolean>`NOT ${compile(x.arg, c)}`;
    case 'tag':
      return sql<boolean>`f.tags @> ARRAY[${x.value}]::text[]`;
    case 'eq':
      switch (x.attr) {
        case 'capability.name':
          return sql<boolean>`${sql.ref(`${c}.name`)} = ${x.value}`;
        case 'capability.kind':
          return sql<boolean>`${sql.ref(`${c}.kind`)} = ${x.value}`;
        case 'server.id':
          return sql<boolean>`${sql.ref(`${c}.server_id`)}::text = ${x.value}`;
        case 'server.name':
          return sql<boolean>`f.name = ${x.value}`;
        case 'server.environment':
          return sql<boolean>`f.environment = ${x.value}`;
      }
  }
}

/**
 * SQL that is true for a capability row `c` the caller may see, or null when every capability is shown (the
 * statement then stays exactly as without a policy). A condition on the capability alone is a test of the row's
 * own columns; one that also tests the server's name, environment or tags reads the server's facts through the
 * registry's door, one primary-key lookup per capability tested (a rare policy form: ADR 0036).
 */
export function shownCapability(
  orgId: string,
  rule: CapabilityRule | undefined,
  c: string,
): RawBuilder<boolean> | null {
  if (rule === undefined) return null;
  if ('withheld' in rule) {
    if (rule.withheld.length === 0) return null;
    const w = rule.withheld;
    return sql<boolean>`(${sql.ref(`${c}.server_id`)}, ${sql.ref(`${c}.kind`)}, ${sql.ref(`${c}.name`)}) NOT IN (
      SELECT * FROM unnest(${w.map((k) => k.serverId)}::uuid[], ${w.map((k) => k.kind)}::text[],
                           ${w.map((k) => k.name)}::text[]))`;
  }
  const cond = rule.condition;
  if (cond.op === 'const' && cond.value) return null;
  if (!mentionsServer(cond)) return compile(cond, c);
  const facts = serverInScope({ orgId }, sql.ref<string>(`${c}.server_id`));
  return sql<boolean>`coalesce((SELECT ${compile(cond, c)} FROM ${facts} f), false)`;
}

/** ` AND <shown>`, or nothing when every capability is shown. */
export const andShown = (shown: RawBuilder<boolean> | null) => (shown === null ? sql`` : sql` AND ${shown}`);
