/**
 * A tool a module contributes to the MCP gateway's default endpoint (issue 11 point 7, ADR 0045): SprintConnect's
 * own capabilities offered beside the proxied ones. Declared here, with the caller and the action left open, so
 * the composition root and the gateway can carry contributions without importing the modules that make them;
 * the authorization contract (modules/authz) closes it over its `Authorizer` and `Permission` (`McpTool`).
 *
 * A contribution is an adapter over its module's existing service, like a route: its handler runs the same
 * guard and calls the same service function as the `/v1` route it mirrors, so policy, validation, audit and
 * tenant isolation are the route's own.
 */
export interface McpToolContribution<Caller, Action extends string = string> {
  /** Its name without the gateway's prefix: `find_servers` is offered as `sprintconnect__find_servers`. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** JSON Schema of `arguments` (an object schema), validated by the gateway before the handler runs. */
  readonly inputSchema: Readonly<Record<string, unknown>>;
  /** JSON Schema of the result, returned as `structuredContent` (MCP 2025-06-18 and later). */
  readonly outputSchema?: Readonly<Record<string, unknown>> | undefined;
  /** MCP tool annotations: hints a client shows and the gateway classes calls by (read, write, destructive). */
  readonly annotations: {
    readonly readOnlyHint: boolean;
    readonly destructiveHint?: boolean;
    readonly idempotentHint?: boolean;
    readonly openWorldHint?: boolean;
  };
  /**
   * The action its `/v1` route asserts on the caller's org first: `tools/list` offers the tool only to callers
   * the PDP allows it (the handler asserts it again, with the route's own throttle and resource checks).
   */
  readonly action: Action;
  /** Runs the use case; throws the service's `AppError`s (a denial carries its `decisionId`). */
  handler(caller: Caller, args: Record<string, unknown>): Promise<unknown>;
}
