import { AppError, type CodeOf, defineErrors } from '../../kernel/index.ts';

/** The MCP endpoint's HTTP-level refusals; refusals inside MCP are JSON-RPC errors (jsonrpc.ts). */
export const GATEWAY_ERRORS = defineErrors({
  mcp_origin_not_allowed: { status: 403, title: 'Origin not allowed' },
  mcp_endpoint_not_found: { status: 404, title: 'No such MCP endpoint' },
  mcp_method_not_allowed: { status: 405, title: 'Method not allowed on the MCP endpoint' },
});

export type GatewayErrorCode = CodeOf<typeof GATEWAY_ERRORS>;

export class GatewayError extends AppError<GatewayErrorCode> {}
