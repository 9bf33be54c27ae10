/**
 * The resources SprintConnect's authorization server issues tokens for (RFC 8707 resource indicators): the REST
 * API and the MCP endpoint. A token's `aud` is exactly one of them, so a token for one is refused by the other.
 */
export interface Resources {
  readonly api: string;
  readonly mcp: string;
}

export const resourcesOf = (publicUrl: string): Resources => ({
  api: `${publicUrl}/v1`,
  mcp: `${publicUrl}/mcp`,
});

/**
 * A virtual server's MCP endpoint `PUBLIC_URL/mcp/{slug}` (ADR 0040 amended, ADR 0041): a resource a client may
 * name (its RFC 9728 metadata says so), whose tokens are issued for the gateway as a whole (`PUBLIC_URL/mcp`).
 * A slug is unique only within an org and the token endpoint does not know the org of a slug, so the slug URL
 * cannot be an audience of its own; the org comes from the credential.
 */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const isMcpEndpoint = (resources: Resources, indicator: string): boolean =>
  indicator.startsWith(`${resources.mcp}/`) && SLUG.test(indicator.slice(resources.mcp.length + 1));

export const issuerOf = (publicUrl: string): string => `${publicUrl}/oidc`;

/** `PUBLIC_URL/.well-known/oauth-protected-resource/v1` for `PUBLIC_URL/v1` (RFC 9728 §3.1). */
export function protectedResourceMetadataUrl(publicUrl: string, resource: string): string {
  const path = new URL(resource).pathname;
  return `${publicUrl}/.well-known/oauth-protected-resource${path}`;
}

/** Access tokens live 5 minutes: short enough that revoking a grant ends its access soon after. */
export const ACCESS_TOKEN_TTL_S = 300;

/** Scope words when the composition root passes none: the three API-key levels. */
export const DEFAULT_API_SCOPES: readonly string[] = Object.freeze(['read', 'write', 'admin']);

/**
 * Every scope word the API's scope check understands, from the permission catalogue (passed in as data; the
 * authz module owns it): the levels, each `type:level`, and each permission by name.
 */
export function scopeVocabulary(
  permissions: Readonly<Record<string, { readonly scope: { readonly type: string } }>>,
): string[] {
  const levels = ['read', 'write', 'admin'];
  const types = [...new Set(Object.values(permissions).map((p) => p.scope.type))];
  return [
    ...new Set([
      ...levels,
      ...types.flatMap((t) => levels.map((l) => `${t}:${l}`)),
      ...Object.keys(permissions),
    ]),
  ];
}
