import type { Actor } from '../../kernel/index.ts';

/**
 * The one typed caller every request resolves to, whatever the credential: an API key, a user (session or
 * access token) or an OAuth client (client_credentials). Plain data: who, never what a request may do (that is
 * the request's `Authorizer`, authz module, ADR 0029).
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
   * assignments (rbac's PermissionResolver), never taken from the credential.
   * Undefined means not resolved, which authorizes nothing.
   */
  readonly permissions?: readonly string[];
  readonly email?: string;
  /** How this request authenticated, and when the person last proved who they are (step-up). */
  readonly authMethod: 'api_key' | 'session' | 'bearer_jwt' | 'dpop_jwt';
  readonly authTime?: Date;
}

export const actorOf = (p: Principal, requestId?: string): Actor => ({
  type: p.kind,
  id: p.id,
  orgId: p.orgId,
  requestId,
});
