/**
 * JSON-RPC 2.0 as the MCP gateway speaks it: the error codes it answers with and the envelope of a response.
 * Codes below -32000 are JSON-RPC's own (-32700 parse error ... -32603); -32020 and -32022 are MCP 2026-07-28's
 * `HEADER_MISMATCH` and unsupported protocol version; the gateway's own refusals use the implementation-defined
 * server range (-32000 to -32099), one code per kind so a client can tell them apart without reading messages.
 */
export const RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** An upstream server failed (could not be reached, answered nonsense or an HTTP error). */
  upstreamError: -32001,
  /** The policy decision point refused the call; `data.decisionId` names the decision. */
  denied: -32003,
  /** The upstream did not answer in time. */
  timeout: -32004,
  /** The upstream's result was larger than the gateway relays. */
  resultTooLarge: -32005,
  /** The upstream's circuit breaker is open (ADR 0048); `data.retryAfterMs` says when it is tried again. */
  circuitOpen: -32006,
  /** A limit refused the call (the key's or org's rate limit, the org's budget); `data.retryAfterSeconds`. */
  rateLimited: -32029,
  /** A virtual server withholds the tool: its definition drifted from the approved one (ADR 0044); `data`. */
  toolWithheld: -32010,
  headerMismatch: -32020,
  unsupportedProtocolVersion: -32022,
} as const;

export type RpcId = string | number | null;

export interface RpcError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** A JSON-RPC request or notification as received: parsed once, checked field by field. */
export interface RpcMessage {
  readonly jsonrpc: '2.0';
  readonly id?: RpcId;
  readonly method: string;
  readonly params?: Record<string, unknown>;
}

export const errorResponse = (id: RpcId, error: RpcError): string =>
  JSON.stringify({ jsonrpc: '2.0', id, error });

export const resultResponse = (id: RpcId, result: unknown): string =>
  JSON.stringify({ jsonrpc: '2.0', id, result });

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * What a POSTed body is: one request or notification, a response (a 2025-era caller's answer to an input
 * request the gateway relayed, ADR 0046), or something JSON-RPC refuses. Batch arrays are
 * refused: 2025-06-18 removed them and 2026-07-28 has none (ADR 0040 on 2025-03-26).
 */
export type Inbound =
  | { kind: 'message'; message: RpcMessage }
  | { kind: 'response'; id: RpcId; message: Readonly<Record<string, unknown>> }
  | { kind: 'invalid'; id: RpcId; error: RpcError };

export function classifyBody(body: unknown): Inbound {
  if (Array.isArray(body)) {
    return {
      kind: 'invalid',
      id: null,
      error: { code: RPC.invalidRequest, message: 'JSON-RPC batches are not supported by this MCP revision' },
    };
  }
  if (!isObject(body) || body.jsonrpc !== '2.0') {
    return {
      kind: 'invalid',
      id: null,
      error: { code: RPC.invalidRequest, message: 'Not a JSON-RPC 2.0 message' },
    };
  }
  const id = body.id;
  const validId =
    id === undefined || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
  if (!validId) {
    return { kind: 'invalid', id: null, error: { code: RPC.invalidRequest, message: 'Invalid id' } };
  }
  if (body.method === undefined && ('result' in body || 'error' in body)) {
    return { kind: 'response', id: (id as RpcId | undefined) ?? null, message: body };
  }
  if (typeof body.method !== 'string' || body.method === '') {
    return {
      kind: 'invalid',
      id: (id as RpcId | undefined) ?? null,
      error: { code: RPC.invalidRequest, message: 'A JSON-RPC request needs a method' },
    };
  }
  if (body.params !== undefined && !isObject(body.params)) {
    return {
      kind: 'invalid',
      id: (id as RpcId | undefined) ?? null,
      error: { code: RPC.invalidParams, message: 'params must be an object' },
    };
  }
  return { kind: 'message', message: body as unknown as RpcMessage };
}
