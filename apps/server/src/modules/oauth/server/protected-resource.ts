import { ALLOWED_ALGS } from '../tokens/jws-header.ts';
import { issuerOf } from '../tokens/resources.ts';

/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728) for one of our resources: which authorization server issues
 * its tokens, with which scopes, and that DPoP-bound tokens are accepted. MCP clients start here (MCP
 * authorization, "Authorization Server Discovery").
 */
export function protectedResourceMetadata(a: {
  publicUrl: string;
  resource: string;
  name: string;
  scopes: readonly string[];
}) {
  return {
    resource: a.resource,
    authorization_servers: [issuerOf(a.publicUrl)],
    scopes_supported: [...a.scopes],
    bearer_methods_supported: ['header'],
    resource_name: a.name,
    resource_documentation: `${a.publicUrl}/docs`,
    dpop_signing_alg_values_supported: [...ALLOWED_ALGS],
    dpop_bound_access_tokens_required: false,
  };
}
