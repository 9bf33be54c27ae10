/**
 * What a listing may show, decided once per request rather than once per row (ADR 0020):
 *
 * - `query`: the policy's residual as a condition over servers and their capabilities, which the repository
 *   that owns those columns puts in its SQL;
 * - `batch`: the residual has parts a query cannot say; the repository fetches candidates and `allows` decides
 *   each (decisions cached per principal, policy-set version and the resource's attributes).
 *
 * A server is shown when the action is allowed on it and on every one of its current capabilities.
 */
export type FilterAttr =
  | 'server.id'
  | 'server.name'
  | 'server.environment'
  | 'capability.name'
  | 'capability.kind';

export type FilterCond =
  | { readonly op: 'const'; readonly value: boolean }
  | { readonly op: 'and' | 'or'; readonly args: readonly FilterCond[] }
  | { readonly op: 'not'; readonly arg: FilterCond }
  | { readonly op: 'eq'; readonly attr: FilterAttr; readonly value: string }
  /** The server's tags contain the value. */
  | { readonly op: 'tag'; readonly value: string };

export interface ResourceFilter {
  /** When a server may be shown, over its own attributes. */
  readonly server: FilterCond;
  /** When one of its current capabilities is allowed (over it and its server); one failing hides the server. */
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
      /** Whether `allows` needs each candidate's capabilities. */
      readonly needsCapabilities: boolean;
      allows(server: ServerFacts, capabilities: readonly CapabilityFacts[]): boolean;
    };
