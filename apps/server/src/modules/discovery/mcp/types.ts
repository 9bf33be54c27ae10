/**
 * The data shapes of capability discovery: what the caller hands in, what a successful discovery
 * records (the snapshot), and how a failure is reported (errors as data, never thrown).
 */

/** Which MCP HTTP transport the registered URL speaks (MCP spec, basic/transports). */
export type DiscoveryTransport = 'streamable-http' | 'sse';

/** Budgets in milliseconds. `listMs` applies to each list stage separately, all of its pages included. */
export interface DiscoveryTimeouts {
  connectMs: number;
  listMs: number;
  totalMs: number;
}

/** The stages discovery runs through, in order; list stages run only when the server advertises them. */
export type DiscoveryStage = 'connect' | 'tools' | 'resources' | 'resourceTemplates' | 'prompts';

/**
 * Progress after each stage starts and ends. `done` counts finished stages; `total` is the number of
 * stages this run will have: 5 (the most) until the server's capabilities are known, exact afterwards.
 */
export interface DiscoveryProgress {
  stage: DiscoveryStage;
  done: number;
  total: number;
}

export interface DiscoverInput {
  url: string;
  transport: DiscoveryTransport;
  /** Sent on every request (e.g. `Authorization`). Never recorded in the snapshot. */
  headers: Record<string, string>;
  /** The only way discovery reaches the network: the caller passes the egress-checked fetch. */
  fetch: typeof fetch;
  /**
   * The same egress policy's verdict on a URL, without connecting: why a redirect the MCP client did not
   * follow would have been refused, so it is reported as the refusal it is (issue 8 fixes, M2).
   */
  checkUrl?: (url: string) => Promise<{ ok: true } | { ok: false; code: string; detail: string }>;
  timeouts?: Partial<DiscoveryTimeouts>;
  onProgress?: (progress: DiscoveryProgress) => void;
  signal?: AbortSignal;
}

/** A JSON object as the server sent it, unknown members kept. */
export type JsonObject = { [key: string]: unknown };

/** A tool as listed (MCP spec, server/tools): `name`, plus title, description, schemas, annotations, ... */
export type ToolItem = JsonObject & { name: string };
/** A resource as listed (MCP spec, server/resources): `uri`, plus name, title, mimeType, ... */
export type ResourceItem = JsonObject & { uri: string };
/** A resource template as listed: `uriTemplate` (RFC 6570), plus name, mimeType, ... */
export type ResourceTemplateItem = JsonObject & { uriTemplate: string };
/** A prompt as listed (MCP spec, server/prompts): `name`, plus arguments, description, ... */
export type PromptItem = JsonObject & { name: string };

/** Everything one discovery learned about a server, items kept exactly as the server returned them. */
export interface CapabilitySnapshot {
  /** The negotiated revision, e.g. `2026-07-28` or a 2025-era `2025-11-25`. */
  protocolVersion: string;
  /** `serverInfo` from `initialize`, or from the `server/discover` result on 2026-07-28 (may be absent). */
  serverInfo: JsonObject | null;
  serverCapabilities: JsonObject;
  /** What discovery declared (always `DISCOVERY_CLIENT_CAPABILITIES`): servers may list by it. */
  clientCapabilities: JsonObject;
  instructions?: string;
  tools: ToolItem[];
  resources: ResourceItem[];
  resourceTemplates: ResourceTemplateItem[];
  prompts: PromptItem[];
}

export type DiscoveryFailureCode =
  | 'dns_failed'
  | 'connection_refused'
  | 'tls_error'
  | 'unauthorized'
  | 'forbidden'
  | 'not_mcp'
  | 'timeout'
  | 'protocol_error'
  | 'egress_blocked'
  | 'rate_limited'
  | 'upstream_rate_limited'
  | 'connection_closed'
  | 'unknown';

export interface DiscoveryFailure {
  code: DiscoveryFailureCode;
  /** What happened, in words, with the low-level detail (errno code, HTTP status, stage). No secrets. */
  message: string;
  /** What the person who registered the server can check or change. */
  guidance: string;
  /** Whether trying again later, unchanged, may succeed. */
  retryable: boolean;
  /**
   * True when the server never answered this attempt (refused, reset, silent, not HTTP): what a port probe
   * distinguishes, so the service shows the tenant one `unreachable` instead (ADR 0027).
   */
  unanswered: boolean;
  /** When unanswered: the lowest-level error (`ECONNRESET: ...`, `HPE_INVALID_CONSTANT: ...`), for the log. */
  wireCause?: string;
  /** The stage that failed, when known. */
  stage?: DiscoveryStage;
  /**
   * rate_limited: seconds until the org's outbound window resets. upstream_rate_limited: the server's
   * `Retry-After` (RFC 9110 §10.2.3), when it sent one; the next attempt starts no sooner.
   */
  retryAfterSeconds?: number;
}

export type DiscoveryResult =
  | { ok: true; snapshot: CapabilitySnapshot }
  | { ok: false; failure: DiscoveryFailure };
