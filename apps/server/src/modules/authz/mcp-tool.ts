import type { McpToolContribution } from '../../kernel/index.ts';
import type { Principal } from '../identity/index.ts';
import type { Authorizer } from './authorizer.ts';
import type { Permission } from './permissions.ts';

/** Who calls a platform tool: as a `/v1` route sees its request (principal, authorizer, request id). */
export interface ToolCaller {
  readonly principal: Principal;
  readonly authz: Authorizer;
  readonly requestId: string;
}

/** A module's contribution to the gateway's platform tools (ADR 0045), decided by the same PDP as `/v1`. */
export type McpTool = McpToolContribution<ToolCaller, Permission>;
