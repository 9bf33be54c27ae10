/**
 * What the gateway reports after each `tools/call` to the usage module when one is plugged in (issue 11
 * point 8). The record is built on the request path and handed over synchronously; the hook must not block
 * (the usage module batches its writes off the request path).
 */
export interface GatewayCallRecord {
  readonly orgId: string;
  readonly principalKind: string;
  readonly principalId: string;
  /** `default` for `/mcp`, or a virtual server's slug. */
  readonly endpoint: string;
  readonly serverId: string;
  /** The tool's name on its upstream server. */
  readonly tool: string;
  /** `read`, `write` or `destructive`, from the tool's annotations (call-audit.ts). */
  readonly invocationClass?: string;
  readonly latencyMs: number;
  readonly outcome: 'ok' | 'error' | 'denied' | 'rate_limited' | 'upstream_error' | 'timeout';
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly decisionId?: string;
  readonly at: Date;
}

export interface GatewayUsage {
  record(r: GatewayCallRecord): void;
}
