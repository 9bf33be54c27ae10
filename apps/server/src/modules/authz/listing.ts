/**
 * What a listing may show, decided once per request rather than once per row (ADR 0020, ADR 0036):
 *
 * - `query`: the policy's residual as pure conditions over servers and their capabilities, which each module
 *   compiles over the columns it owns (the registry over servers, search over its index);
 * - `batch`: the residual has parts a query cannot say; the module fetches candidates and the decider judges
 *   each (decisions cached per principal, policy-set version and the resource's attributes).
 *
 * A server is shown when the action is allowed on it. A capability of a shown server is shown when the action is
 * allowed on the capability too; one that is not is withheld (left out, and counted as `withheld` in every
 * answer that shows capabilities) while its server stays visible (issue 10, point 1).
 */
export type ServerAttr = 'server.id' | 'server.name' | 'server.environment';
export type CapabilityAttr = 'capability.name' | 'capability.kind';
export type FilterAttr = ServerAttr | CapabilityAttr;

/** A condition over resource attributes; `A` narrows which attributes it may test. */
export type FilterCond<A extends FilterAttr = FilterAttr> =
  | { readonly op: 'const'; readonly value: boolean }
  | { readonly op: 'and' | 'or'; readonly args: readonly FilterCond<A>[] }
  | { readonly op: 'not'; readonly arg: FilterCond<A> }
  | { readonly op: 'eq'; readonly attr: A; readonly value: string }
  /** The server's tags contain the value. */
  | { readonly op: 'tag'; readonly value: string };

export interface ResourceFilter {
  /** When a server may be shown, over its own attributes. */
  readonly server: FilterCond<ServerAttr>;
  /**
   * When a capability of a shown server may be shown, over the capability and its server, already simplified
   * under the assumption that `server` holds. One it refuses is withheld; its server stays.
   */
  readonly capability: FilterCond;
}

/** What a filter needs to know of one server and, for capabilities, of one capability. */
export interface ServerFacts {
  readonly id: string;
  readonly name: string;
  readonly environment: string;
  readonly tags: readonly string[];
}
export interface CapabilityFacts {
  readonly kind: string;
  readonly name: string;
}

export type VisibleServers =
  | { readonly mode: 'query'; readonly decisionId: string; readonly filter: ResourceFilter }
  | {
      readonly mode: 'batch';
      readonly decisionId: string;
      /** Whether some capability may be withheld: when false, no capability need be read to decide. */
      readonly withholds: boolean;
      showsServer(server: ServerFacts): boolean;
      /** For a server `showsServer` allowed: whether this capability of it is shown, or withheld. */
      showsCapability(server: ServerFacts, capability: CapabilityFacts): boolean;
    };

/** Whether a condition holds of a server and, for capability attributes, one of its capabilities. */
export function holds(c: FilterCond, s: ServerFacts, cap?: CapabilityFacts): boolean {
  switch (c.op) {
    case 'const':
      return c.value;
    case 'and':
      return c.args.every((a) => holds(a, s, cap));
    case 'or':
      return c.args.some((a) => holds(a, s, cap));
    case 'not':
      return !holds(c.arg, s, cap);
    case 'tag':
      return s.tags.includes(c.value);
    case 'eq': {
      const v = {
        'server.id': s.id,
        'server.name': s.name,
        'server.environment': s.environment,
        'capability.name': cap?.name,
        'capability.kind': cap?.kind,
      }[c.attr];
      return v === c.value;
    }
  }
}

/**
 * Whether a capability of a server the scope shows is shown too (ADR 0036): its condition evaluated in memory,
 * or the batch decider.
 */
export function showsCapability(
  scope: VisibleServers,
  server: ServerFacts,
  capability: CapabilityFacts,
): boolean {
  return scope.mode === 'query'
    ? holds(scope.filter.capability, server, capability)
    : scope.showsCapability(server, capability);
}

/** Whether the scope may withhold any capability at all (when not, none need be read to decide). */
export function mayWithhold(scope: VisibleServers): boolean {
  if (scope.mode === 'batch') return scope.withholds;
  const c = scope.filter.capability;
  return !(c.op === 'const' && c.value);
}
