import { AppError, type Challenge, isAppError } from '../../kernel/index.ts';
import type { Authorizer } from '../authz/index.ts';
import type { Authenticator, AuthRequest, Principal } from '../identity/index.ts';

/**
 * The MCP endpoint as an OAuth 2.1 resource server (MCP authorization spec; issue 11 point 3): the credential
 * travels in the `Authorization` header only (an API key, or an access token whose audience is this endpoint,
 * bearer or DPoP-bound); cookies are never read, so a browser cannot be made to call tools with an ambient
 * session. No credential, or one that fails, is a 401 whose challenge names the RFC 9728 metadata of this
 * resource and the scope the endpoint needs.
 */
export const MCP_SCOPE = 'tools:write';

export interface McpCaller {
  readonly principal: Principal;
  readonly authz: Authorizer;
}

export interface McpAuthRequest {
  readonly authorization: string | undefined;
  readonly dpop: string | undefined;
  readonly method: string;
  readonly ip: string;
  readonly log: (entry: Readonly<Record<string, unknown>>) => void;
  /** A virtual server's endpoint `/mcp/{slug}`: its own URL (DPoP `htu`) and metadata URL in the challenge. */
  readonly slug?: string | undefined;
}

export function createMcpAuth(deps: {
  /** Header credentials only: API keys, then access tokens for `PUBLIC_URL/mcp`. */
  authenticators: readonly Authenticator[];
  principal: (p: Principal) => Promise<Principal>;
  authorizer: (
    p: Principal,
    facts: { at: Date; ip?: string; log?: (e: Readonly<Record<string, unknown>>) => void },
  ) => Promise<Authorizer>;
  now: () => Date;
  /** `PUBLIC_URL/mcp`: the URL DPoP proofs are bound to (`htu`). */
  resource: string;
  /** `PUBLIC_URL/.well-known/oauth-protected-resource/mcp`. */
  resourceMetadata: string;
}) {
  const challenge = (slug: string | undefined, extra: Partial<Challenge> = {}): Challenge => ({
    scheme: 'Bearer',
    realm: 'sprintconnect',
    // RFC 9728 §5.1: the metadata of the resource the caller asked for, the slug's own for `/mcp/{slug}`.
    resourceMetadata: slug === undefined ? deps.resourceMetadata : `${deps.resourceMetadata}/${slug}`,
    scope: MCP_SCOPE,
    ...extra,
  });
  return async function authenticate(req: McpAuthRequest): Promise<McpCaller> {
    const ar: AuthRequest = {
      authorization: req.authorization,
      dpop: req.dpop,
      cookies: {},
      method: req.method,
      url: req.slug === undefined ? deps.resource : `${deps.resource}/${req.slug}`,
      ip: req.ip,
    };
    const now = deps.now();
    let found: Principal | undefined;
    try {
      for (const authenticate of deps.authenticators) {
        found = await authenticate(ar, now);
        if (found !== undefined) break;
      }
    } catch (e) {
      // A refused credential is challenged like a missing one, with this resource's metadata (RFC 9728 §5.1).
      if (isAppError(e) && e.challenge === undefined) {
        throw e.with({
          challenge: challenge(req.slug, {
            error: 'invalid_token',
            description: 'The credential was refused',
          }),
        });
      }
      throw e;
    }
    if (found === undefined) {
      throw new AppError(
        'unauthenticated',
        'Send an API key or an access token for this MCP endpoint as `Authorization: Bearer <token>`.',
        { challenge: challenge(req.slug) },
      );
    }
    const principal = await deps.principal(found);
    const authz = await deps.authorizer(principal, { at: now, ip: req.ip, log: req.log });
    // Using the endpoint at all needs `tools:call` in the org: a token without the scope gets 403
    // insufficient_scope with the scope that would do (RFC 6750 §3.1), before any body is read.
    authz.assert('tools:call', { type: 'org', orgId: principal.orgId });
    return { principal, authz };
  };
}
