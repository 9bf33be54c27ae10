import type { FilterAttr, FilterCond, ResourceFilter, ServerAttr } from '../authz/index.ts';
import { CEDAR_NAMESPACE as NS } from './cedar-schema.ts';

/**
 * Cedar partial evaluation, translated: with the principal, action and context known and the resource
 * unknown, Cedar leaves a residual condition per policy. When every residual speaks only of what a query can
 * test (a server's id, name, environment and tags; a capability's name and kind), the decision becomes a
 * pure condition over servers and their capabilities, which the registry and search each compile over the
 * columns they own. Anything else (`like`, `if`, record attributes, comparisons on resource values)
 * is untranslatable: the caller then decides each candidate with the PDP (ADR 0020).
 */
type Const = Extract<FilterCond, { op: 'const' }>;
export const TRUE: Const = Object.freeze({ op: 'const', value: true });
export const FALSE: Const = Object.freeze({ op: 'const', value: false });

const isConst = (c: FilterCond, v: boolean) => c.op === 'const' && c.value === v;

export function and<A extends FilterAttr>(...args: FilterCond<A>[]): FilterCond<A> {
  if (args.some((a) => isConst(a, false))) return FALSE;
  const rest = args.filter((a) => !isConst(a, true));
  return rest.length === 0 ? TRUE : rest.length === 1 ? rest[0]! : { op: 'and', args: rest };
}

export function or<A extends FilterAttr>(...args: FilterCond<A>[]): FilterCond<A> {
  if (args.some((a) => isConst(a, true))) return TRUE;
  const rest = args.filter((a) => !isConst(a, false));
  return rest.length === 0 ? FALSE : rest.length === 1 ? rest[0]! : { op: 'or', args: rest };
}

export function not<A extends FilterAttr>(c: FilterCond<A>): FilterCond<A> {
  if (c.op === 'const') return c.value ? FALSE : TRUE;
  if (c.op === 'not') return c.arg;
  return { op: 'not', arg: c };
}

type Target = 'Server' | 'Capability';

/** What a residual sub-expression stands for, once the resource's type is fixed. */
type Val =
  | { t: 'bool'; c: FilterCond }
  | { t: 'str'; v: string }
  | { t: 'long'; v: number }
  | { t: 'entity'; type: string; id: string }
  | { t: 'set'; items: Val[] }
  | { t: 'attr'; attr: FilterAttr }
  | { t: 'tags' }
  /** The resource itself, or a capability's server. */
  | { t: 'server' }
  | { t: 'capability' }
  /** `resource.org`: every row a filtered query reads is in the caller's org (the query says so itself). */
  | { t: 'org' };

type Json = Record<string, unknown>;
class Untranslatable extends Error {}
const fail = (why: string): never => {
  throw new Untranslatable(why);
};

const SERVER_ATTRS: Readonly<Record<string, Val>> = {
  name: { t: 'attr', attr: 'server.name' },
  environment: { t: 'attr', attr: 'server.environment' },
  tags: { t: 'tags' },
  org: { t: 'org' },
};
const CAPABILITY_ATTRS: Readonly<Record<string, Val>> = {
  name: { t: 'attr', attr: 'capability.name' },
  kind: { t: 'attr', attr: 'capability.kind' },
  server: { t: 'server' },
  org: { t: 'org' },
};

const attrsOf = (v: Val): Readonly<Record<string, Val>> =>
  v.t === 'server' ? SERVER_ATTRS : v.t === 'capability' ? CAPABILITY_ATTRS : fail(`attribute of ${v.t}`);

const asBool = (v: Val): FilterCond => (v.t === 'bool' ? v.c : fail(`${v.t} used as a condition`));

function value(j: unknown): Val {
  if (typeof j === 'boolean') return { t: 'bool', c: j ? TRUE : FALSE };
  if (typeof j === 'string') return { t: 'str', v: j };
  if (typeof j === 'number') return { t: 'long', v: j };
  if (Array.isArray(j)) return { t: 'set', items: j.map(value) };
  if (j !== null && typeof j === 'object') {
    const e = (j as Json).__entity as { type?: unknown; id?: unknown } | undefined;
    if (e !== undefined && typeof e.type === 'string' && typeof e.id === 'string') {
      return { t: 'entity', type: e.type, id: e.id };
    }
  }
  return fail('a value of another kind');
}

function equal(a: Val, b: Val, orgId: string): FilterCond {
  if (a.t === 'attr' && b.t === 'str') return { op: 'eq', attr: a.attr, value: b.v };
  if (b.t === 'attr' && a.t === 'str') return { op: 'eq', attr: b.attr, value: a.v };
  if (a.t === 'str' && b.t === 'str') return a.v === b.v ? TRUE : FALSE;
  if (a.t === 'long' && b.t === 'long') return a.v === b.v ? TRUE : FALSE;
  if (a.t === 'bool' && b.t === 'bool' && a.c.op === 'const' && b.c.op === 'const') {
    return a.c.value === b.c.value ? TRUE : FALSE;
  }
  if (a.t === 'entity' && b.t === 'entity') return a.type === b.type && a.id === b.id ? TRUE : FALSE;
  if (a.t === 'entity' && b.t !== 'entity') return equal(b, a, orgId);
  if (b.t === 'entity') {
    if (a.t === 'org') return b.type === `${NS}::Org` && b.id === orgId ? TRUE : FALSE;
    if (a.t === 'server')
      return b.type === `${NS}::Server` ? { op: 'eq', attr: 'server.id', value: b.id } : FALSE;
    if (a.t === 'capability' && b.type !== `${NS}::Capability`) return FALSE;
  }
  return fail(`== between ${a.t} and ${b.t}`);
}

function translate(j: unknown, target: Target, orgId: string): Val {
  if (j === null || typeof j !== 'object' || Array.isArray(j)) return fail('not an expression');
  const [op, arg] = Object.entries(j as Json)[0] ?? fail('empty expression');
  const x = arg as Json;
  const sub = (e: unknown) => translate(e, target, orgId);
  switch (op) {
    case 'Value':
      return value(arg);
    case 'unknown': {
      const name = Array.isArray(arg) ? (arg[0] as Json | undefined)?.Value : undefined;
      if (name !== 'resource') return fail(`unknown ${String(name)}`);
      return target === 'Server' ? { t: 'server' } : { t: 'capability' };
    }
    case 'Set':
      return Array.isArray(arg) ? { t: 'set', items: arg.map(sub) } : fail('set');
    case '&&': {
      const l = asBool(sub(x.left));
      return isConst(l, false) ? { t: 'bool', c: FALSE } : { t: 'bool', c: and(l, asBool(sub(x.right))) };
    }
    case '||': {
      const l = asBool(sub(x.left));
      return isConst(l, true) ? { t: 'bool', c: TRUE } : { t: 'bool', c: or(l, asBool(sub(x.right))) };
    }
    case '!':
      return { t: 'bool', c: not(asBool(sub(x.arg))) };
    case '==':
      return { t: 'bool', c: equal(sub(x.left), sub(x.right), orgId) };
    case '!=':
      return { t: 'bool', c: not(equal(sub(x.left), sub(x.right), orgId)) };
    case '.': {
      const of = sub(x.left);
      return attrsOf(of)[String(x.attr)] ?? fail(`attribute ${String(x.attr)}`);
    }
    case 'has': {
      const of = sub(x.left);
      const path = Array.isArray(x.attr) ? x.attr : [x.attr];
      if (path.length !== 1) return fail('has with a path');
      return { t: 'bool', c: Object.hasOwn(attrsOf(of), String(path[0])) ? TRUE : FALSE };
    }
    case 'is': {
      if (x.in !== undefined) return fail('is ... in');
      const of = sub(x.left);
      const type =
        of.t === 'server' ? 'Server' : of.t === 'capability' ? 'Capability' : fail(`is on ${of.t}`);
      return { t: 'bool', c: x.entity_type === `${NS}::${type}` ? TRUE : FALSE };
    }
    case 'in': {
      const of = sub(x.left);
      const parent = sub(x.right);
      if (parent.t !== 'entity') return fail('in a set or an expression');
      // A server's only ancestor is itself; a capability is in its server.
      if (parent.type === `${NS}::Server` && (of.t === 'server' || of.t === 'capability')) {
        return { t: 'bool', c: { op: 'eq', attr: 'server.id', value: parent.id } };
      }
      if (of.t === 'server' || of.t === 'capability') return { t: 'bool', c: equal(of, parent, orgId) };
      return fail('in');
    }
    case 'contains':
    case 'containsAll':
    case 'containsAny': {
      const set = sub(x.left);
      const item = sub(x.right);
      if (set.t !== 'tags') return fail(`${op} on ${set.t}`);
      const items = op === 'contains' ? [item] : item.t === 'set' ? item.items : fail(`${op} of ${item.t}`);
      const tags = items.map((i): FilterCond => (i.t === 'str' ? { op: 'tag', value: i.v } : fail('tag')));
      return { t: 'bool', c: op === 'containsAny' ? or(...tags) : and(...tags) };
    }
    default:
      return fail(op);
  }
}

interface ResidualPolicy {
  readonly effect: string;
  readonly principal?: Json;
  readonly action?: Json;
  readonly resource?: Json;
  readonly conditions?: readonly { readonly kind: string; readonly body: unknown }[];
}

/** When the policy applies to a resource of the target type, or undefined when that cannot be said in a query. */
function applies(p: ResidualPolicy, target: Target, orgId: string): FilterCond {
  for (const scope of [p.principal, p.action, p.resource]) {
    if (scope !== undefined && scope.op !== 'All') fail('a scope left in the residual');
  }
  return and(
    ...(p.conditions ?? []).map((c) => {
      const v = asBool(translate(c.body, target, orgId));
      return c.kind === 'unless' ? not(v) : v;
    }),
  );
}

/** Per resource type: the condition, or why it cannot be a query (`undefined` condition). */
export interface Translation {
  readonly server: ResourceFilter['server'] | undefined;
  readonly capability: FilterCond | undefined;
  readonly why?: string;
}

/**
 * The residuals as a filter: allowed = some permit applies and no forbid does, for servers and for
 * capabilities. A policy that errored makes every decision a deny (as in `decide`), so the filter is false.
 */
export function translateResiduals(
  r: { readonly errored: readonly string[]; readonly residuals: Readonly<Record<string, unknown>> },
  orgId: string,
): Translation {
  if (r.errored.length > 0) return { server: FALSE, capability: FALSE };
  const policies = Object.values(r.residuals) as ResidualPolicy[];
  const whys: string[] = [];
  const allowed = (target: Target): FilterCond | undefined => {
    try {
      return and(
        or(...policies.filter((p) => p.effect === 'permit').map((p) => applies(p, target, orgId))),
        not(or(...policies.filter((p) => p.effect === 'forbid').map((p) => applies(p, target, orgId)))),
      );
    } catch (e) {
      if (!(e instanceof Untranslatable)) throw e;
      whys.push(`${target}: ${e.message}`);
      return undefined;
    }
  };
  // A Server's residual is translated with the server's attributes alone (SERVER_ATTRS), so it names no other.
  const server = allowed('Server') as ResourceFilter['server'] | undefined;
  const capability = allowed('Capability');
  return {
    server,
    // A capability is only ever shown on a shown server: what the server's condition says need not be asked
    // again of each capability (system/production's environment test, typically, leaves nothing to compile).
    capability: capability !== undefined && server !== undefined ? assuming(capability, server) : capability,
    ...(whys.length === 0 ? {} : { why: whys.join('; ') }),
  };
}

type Atom = Extract<FilterCond, { op: 'eq' | 'tag' }>;
const atomKey = (a: Atom) => (a.op === 'tag' ? `tag|${a.value}` : `eq|${a.attr}|${a.value}`);

/**
 * `c` simplified under the assumption that `given` holds: each test `given` settles (an atom it asserts or
 * denies through its conjunctions and negated disjunctions) becomes a constant, as does an equality on an
 * attribute `given` fixes to another value. Sound (equal to `c` wherever `given` holds), not complete.
 */
export function assuming(c: FilterCond, given: FilterCond<ServerAttr>): FilterCond {
  const known = new Map<string, boolean>();
  const fixed = new Map<string, string>();
  // What holds when `g` is `holds`: through conjunctions, and through negated disjunctions (De Morgan), which
  // is how a set of forbids reads (`not (forbid1 or forbid2)`).
  const learn = (g: FilterCond<ServerAttr>, holds: boolean) => {
    if (g.op === 'not') learn(g.arg, !holds);
    else if ((g.op === 'and' && holds) || (g.op === 'or' && !holds)) for (const a of g.args) learn(a, holds);
    else if (g.op === 'eq' || g.op === 'tag') {
      known.set(atomKey(g), holds);
      if (g.op === 'eq' && holds) fixed.set(g.attr, g.value);
    }
  };
  learn(given, true);
  const walk = (x: FilterCond): FilterCond => {
    switch (x.op) {
      case 'const':
        return x;
      case 'and':
        return and(...x.args.map(walk));
      case 'or':
        return or(...x.args.map(walk));
      case 'not':
        return not(walk(x.arg));
      case 'eq':
      case 'tag': {
        const k = known.get(atomKey(x));
        if (k !== undefined) return k ? TRUE : FALSE;
        const value = x.op === 'eq' ? fixed.get(x.attr) : undefined;
        return value !== undefined && x.op === 'eq' && value !== x.value ? FALSE : x;
      }
    }
  };
  return walk(c);
}

/** The filter evaluated in memory (the contract's, re-exported for the policy module's own callers). */
export { holds } from '../authz/index.ts';
