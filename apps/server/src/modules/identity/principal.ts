import type { Actor } from '../../kernel/index.ts';

/**
 * The one typed caller every request resolves to, whatever the credential: an API key, a user (session or
 * access token) or an OAuth client (client_credentials). Authorization reads only this.
 */
export interface Principal {
  readonly kind: 'api_key' | 'user' | 'client';
  readonly id: string;
  readonly orgId: string;
  readonly name: string;
  /** API key scopes, or the scopes granted to an access token. */
  readonly scopes: readonly string[];
  /** Role names (users and clients); empty for API keys, which are governed by scopes. */
  readonly roles: readonly string[];
  /**
   * Users and clients: the union of their roles' permissions, resolved on every request from the role
   * assignments (access module's PermissionResolver, wired in main.ts), never taken from the credential.
   * Undefined means not resolved, which authorizes nothing.
   */
  readonly permissions?: readonly string[];
  readonly email?: string;
  /** How this request authenticated, and when the person last proved who they are (step-up). */
  readonly authMethod: 'api_key' | 'session' | 'bearer_jwt' | 'dpop_jwt';
  readonly authTime?: Date;
  /** What the policy decision point needs besides the caller: attached per request (access module). */
  readonly facts?: RequestFacts;
}

/**
 * Facts about the request a principal arrived with, for policy decisions: the org's policy set (an opaque
 * handle the access module resolves and reads), the client address, the time, and where to log decisions.
 * A principal without a policy set is denied everything (fail closed).
 */
export interface RequestFacts {
  readonly policySet?: unknown;
  readonly ip?: string;
  readonly at: Date;
  readonly logDecision?: (entry: Readonly<Record<string, unknown>>) => void;
  /** Spends one request of a rate class a policy obligation holds this caller to (`@obligation_throttle`). */
  readonly throttle?: (rateClass: string) => ThrottleAnswer;
}

export interface ThrottleAnswer {
  readonly allowed: boolean;
  readonly retryAfterSeconds: number;
}

export const actorOf = (p: Principal, requestId?: string): Actor => ({
  type: p.kind,
  id: p.id,
  orgId: p.orgId,
  requestId,
});
