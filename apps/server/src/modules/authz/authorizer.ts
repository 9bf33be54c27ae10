import type { Principal } from '../identity/index.ts';
import type { VisibleServers } from './listing.ts';
import type { Permission } from './permissions.ts';

/**
 * The authorization contract (ADR 0029): what a request may ask about what its caller may do, and the answers.
 * The HTTP auth hook attaches one `Authorizer` per request (`req.authz`); it knows its principal and holds the
 * org's policy set, the request's decision log and the caller's rate-class throttle. The policy module
 * implements it (Cedar, ADR 0013); every other module depends only on this contract, so none of them imports
 * the decision point and the decision point may depend on them.
 */
export type Action = Permission;

/** What is decided on: its type, org and id, and for servers and capabilities what policies may test. */
export interface Resource {
  readonly type: string;
  readonly orgId: string;
  readonly id?: string;
  /** Servers (and a capability's server): what policies may test. Without it a server is a plain `Resource`. */
  readonly server?: { readonly name: string; readonly environment: string; readonly tags: readonly string[] };
  readonly capability?: { readonly serverId: string; readonly kind: string; readonly name: string };
  /**
   * A call through the MCP gateway (issue 11 point 4): the tool's annotations and the call's top-level scalar
   * arguments, which policies test as `context.annotations` and `context.args` (docs/policies.md).
   */
  readonly call?: {
    readonly annotations: Readonly<Record<string, unknown>>;
    readonly args: Readonly<Record<string, string | number | boolean>>;
    /** `read`, `write` or `destructive`: the annotations' class or an override's (ADR 0048). */
    readonly invocationClass?: string | undefined;
  };
}

export interface Obligations {
  /** Fields the API must leave out of what it returns. */
  readonly redact: readonly string[];
  /** Rate-limit class the caller is held to for this action (the gateway enforces invocation classes). */
  readonly throttle?: string;
}

export type Decision =
  | { allowed: true; decisionId: string; obligations: Obligations; reasons: readonly string[] }
  | { allowed: false; decisionId: string; reason: string; required: string; reasons: readonly string[] };

export interface Authorizer {
  readonly principal: Principal;
  /**
   * Route guard: the obligations of an allowed decision, after spending one request of a throttle obligation's
   * rate class; otherwise throws the 403 problem naming what is required (with the RFC 6750 insufficient_scope
   * challenge when a scope would help), or the 429 of the throttle.
   */
  assert(action: Action, resource: Resource): Obligations;
  /** The decision, logged like every other, without throwing and without spending any throttle. */
  decide(action: Action, resource: Resource): Decision;
  /** Spends one request of the rate class an allowed decision's obligation names, or throws its 429. */
  applyThrottle(action: Action, decision: Extract<Decision, { allowed: true }>): void;
  /** Every permission the caller holds in its own org (what `decide` allows on the org), in catalogue order. */
  held(): readonly Permission[];
  /** The same request's policy set asked about another principal (a key about to be made), without logging. */
  about(candidate: Principal): Authorizer;
  /** Which servers a listing (`servers:list`, `search:query`) may show (ADR 0020); 403 when the PDP cannot say. */
  visibleServers(action: Action): VisibleServers;
}
