import { RPC, type RpcError, type RpcMessage } from './jsonrpc.ts';

/**
 * Which MCP revision a request speaks, from its body, cross-checked with the mirrored headers (MCP 2026-07-28,
 * basic/transports, "Standard request headers"): the 2026 revision carries its version in every request's
 * `_meta` (no session, no `initialize`); the 2025 revisions carry none and name theirs in the
 * `MCP-Protocol-Version` header after `initialize`.
 */
export const MODERN_VERSION = '2026-07-28';
export const LEGACY_VERSIONS: readonly string[] = ['2025-11-25', '2025-06-18', '2025-03-26'];
export const LATEST_LEGACY_VERSION = '2025-11-25';

export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
} as const;

/** The body field `Mcp-Name` mirrors, per method (2026-07-28 transports; the SDK's `MCP_NAME_HEADER_SOURCE`). */
const NAME_SOURCE: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
};

export interface MirroredHeaders {
  readonly protocolVersion: string | undefined;
  readonly method: string | undefined;
  readonly name: string | undefined;
}

export type Era = { era: 'modern' } | { era: 'legacy'; version: string | undefined };

const SENTINEL_PREFIX = '=?base64?';
const SENTINEL_SUFFIX = '?=';

/** A header value as the client encoded it: plain ASCII, or `=?base64?<utf-8 in base64>?=`. */
export function decodeHeaderValue(v: string): string | undefined {
  if (!(v.startsWith(SENTINEL_PREFIX) && v.endsWith(SENTINEL_SUFFIX))) return v;
  const b64 = v.slice(SENTINEL_PREFIX.length, v.length - SENTINEL_SUFFIX.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return undefined;
  return Buffer.from(b64, 'base64').toString('utf8');
}

const mismatch = (message: string): { error: RpcError; status: number } => ({
  status: 400,
  error: { code: RPC.headerMismatch, message },
});

/**
 * The request's era, or the refusal: 400 with -32020 when a mirrored header disagrees with the body (or a
 * modern request omits one), -32022 for a revision the gateway does not speak.
 */
export function eraOf(m: RpcMessage, h: MirroredHeaders): Era | { error: RpcError; status: number } {
  const meta = m.params?._meta;
  const claimed =
    typeof meta === 'object' && meta !== null
      ? (meta as Record<string, unknown>)[META.protocolVersion]
      : undefined;
  const isRequest = m.id !== undefined;
  if (claimed === undefined) {
    // The 2025 era: the header, when sent, names a 2025 revision (a 2026 header on an envelope-less body lies).
    if (h.protocolVersion === MODERN_VERSION) {
      return mismatch(`MCP-Protocol-Version says ${MODERN_VERSION} but the body carries no protocol version`);
    }
    if (h.protocolVersion !== undefined && !LEGACY_VERSIONS.includes(h.protocolVersion)) {
      return {
        status: 400,
        error: {
          code: RPC.unsupportedProtocolVersion,
          message: `Unsupported protocol version: ${h.protocolVersion}`,
          data: { supported: [MODERN_VERSION, ...LEGACY_VERSIONS], requested: h.protocolVersion },
        },
      };
    }
    return { era: 'legacy', version: h.protocolVersion };
  }
  if (claimed !== MODERN_VERSION) {
    return {
      status: 400,
      error: {
        code: RPC.unsupportedProtocolVersion,
        message: `Unsupported protocol version: ${String(claimed)}`,
        data: { supported: [MODERN_VERSION, ...LEGACY_VERSIONS], requested: claimed },
      },
    };
  }
  // Requests must mirror the version and method; notifications need not, but what they send must agree.
  if (h.protocolVersion === undefined ? isRequest : h.protocolVersion !== claimed) {
    return mismatch(`MCP-Protocol-Version must be ${MODERN_VERSION}, as the body's _meta says`);
  }
  if (h.method === undefined ? isRequest : h.method !== m.method) {
    return mismatch(`Mcp-Method must be ${m.method}, the body's method`);
  }
  const field = Object.hasOwn(NAME_SOURCE, m.method) ? NAME_SOURCE[m.method] : undefined;
  if (field !== undefined && isRequest) {
    const value = m.params?.[field];
    if (typeof value === 'string') {
      const sent = h.name === undefined ? undefined : decodeHeaderValue(h.name);
      if (sent !== value) return mismatch(`Mcp-Name must mirror params.${field}`);
    }
  }
  return { era: 'modern' };
}
