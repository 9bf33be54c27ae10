import { createTtlMemo } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { RegistryModule } from '../registry/index.ts';
import type { GatewayServer } from './catalogue.ts';
import { LATEST_LEGACY_VERSION, LEGACY_VERSIONS, META, MODERN_VERSION } from './era.ts';
import { GATEWAY_CLIENT_INFO } from './handshake.ts';
import { type AskCaller, type Exchange, exchange, type Notify } from './upstream-http.ts';
import { createSseUpstreams } from './upstream-sse.ts';

/**
 * Calls to registered servers (issue 11 point 6): through the org's egress fetch (per-tenant rules; undici keeps
 * connections alive), with the server's own stored credentials and nothing of the caller's. 2026-07-28 upstreams
 * are called statelessly, one POST per call; 2025-era upstreams through a small pool of initialized sessions per
 * server, re-initialized when the upstream answers 404 for a session it forgot (2025-11-25 transports, "Session
 * Management"). Sessions and credentials are only a cache: any process can open its own.
 */
export interface UpstreamLimits {
  readonly timeoutMs: number;
  readonly maxResultBytes: number;
  /** Sessions per 2025-era server and process. */
  readonly sessionsPerServer: number;
  /** How long a server's decrypted connection (URL, credential headers) is reused before it is read again. */
  readonly connectionTtlMs: number;
}

export interface Upstreams {
  call(
    orgId: string,
    server: GatewayServer,
    method: string,
    params: Record<string, unknown>,
    /** Sees what the upstream streams before its answer (progress notifications, for the caller). */
    onNotification?: Notify,
    /** Aborted when the caller goes away: the upstream is told with `notifications/cancelled`. */
    cancel?: AbortSignal,
    /** Puts the upstream's input requests (elicitation, sampling) to the caller (ADR 0046). */
    askCaller?: AskCaller,
  ): Promise<Exchange>;
  /** Ends the long-lived upstream streams (HTTP+SSE). */
  close?(): void;
}

interface Connection {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly key: string;
}

interface Session {
  readonly id: string | undefined;
  readonly version: string;
}

const UPSTREAM_CAPABILITIES = { elicitation: {}, sampling: {} };

/** `Mcp-Name` as the 2026 transport encodes it: plain printable ASCII, else `=?base64?...?=`. */
export function encodeHeaderValue(v: string): string {
  const plain = v.length > 0 && v === v.trim() && /^[\x20-\x7E]*$/.test(v) && !v.startsWith('=?base64?');
  return plain ? v : `=?base64?${Buffer.from(v, 'utf8').toString('base64')}?=`;
}

const envelope = () => ({
  [META.protocolVersion]: MODERN_VERSION,
  [META.clientInfo]: GATEWAY_CLIENT_INFO,
  [META.clientCapabilities]: {},
});

const NAME_FIELD: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
};

export function createUpstreams(deps: {
  db: Db;
  registry: Pick<RegistryModule, 'service'>;
  fetchFor: (orgId: string) => typeof fetch;
  limits: UpstreamLimits;
}): Upstreams {
  const { limits } = deps;
  const connections = createTtlMemo<Connection | undefined>({ ttlMs: limits.connectionTtlMs });
  const pools = new Map<string, { key: string; slots: (Promise<Session> | undefined)[]; next: number }>();
  let seq = 0;
  const sse = createSseUpstreams(limits);

  function connectionOf(orgId: string, serverId: string): Promise<Connection | undefined> {
    return connections.get(`${orgId}/${serverId}`, () =>
      withTenant(deps.db, orgId, (tx) => deps.registry.service.connectionFor(tx, orgId, serverId)).then(
        (c) =>
          c === undefined
            ? undefined
            : { url: c.url, headers: c.headers, key: `${c.url}\n${JSON.stringify(c.headers)}` },
      ),
    );
  }

  const opts = { timeoutMs: limits.timeoutMs, maxBytes: limits.maxResultBytes };

  async function initialize(
    fetchFn: typeof fetch,
    conn: Connection,
    server: GatewayServer,
  ): Promise<Session> {
    const asked = LEGACY_VERSIONS.includes(server.protocolVersion)
      ? server.protocolVersion
      : LATEST_LEGACY_VERSION;
    const init = await exchange(
      fetchFn,
      conn.url,
      conn.headers,
      {
        jsonrpc: '2.0',
        id: `init-${++seq}`,
        method: 'initialize',
        // Elicitation and sampling are relayed to callers that can answer them and refused for others (ADR 0046).
        params: {
          protocolVersion: asked,
          capabilities: UPSTREAM_CAPABILITIES,
          clientInfo: GATEWAY_CLIENT_INFO,
        },
      },
      opts,
    );
    if (init.kind !== 'result') throw new SessionFailed(init);
    const version = String((init.result as { protocolVersion?: unknown } | null)?.protocolVersion ?? asked);
    const session: Session = { id: init.sessionId, version };
    await exchange(
      fetchFn,
      conn.url,
      sessionHeaders(conn, session),
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      opts,
    );
    return session;
  }

  const sessionHeaders = (conn: Connection, s: Session): Record<string, string> => ({
    ...conn.headers,
    'mcp-protocol-version': s.version,
    ...(s.id === undefined ? {} : { 'mcp-session-id': s.id }),
  });

  async function legacyCall(
    fetchFn: typeof fetch,
    conn: Connection,
    server: GatewayServer,
    method: string,
    params: Record<string, unknown>,
    onNotification: Notify | undefined,
    cancel: AbortSignal | undefined,
    askCaller: AskCaller | undefined,
  ): Promise<Exchange> {
    let pool = pools.get(server.id);
    if (pool === undefined || pool.key !== conn.key) {
      pool = { key: conn.key, slots: [], next: 0 };
      pools.set(server.id, pool);
    }
    const slot = pool.next++ % limits.sessionsPerServer;
    for (let attempt = 0; attempt < 2; attempt++) {
      let pending = pool.slots[slot];
      if (pending === undefined) {
        pending = initialize(fetchFn, conn, server);
        pool.slots[slot] = pending;
        pending.catch(() => {
          if (pool.slots[slot] === pending) pool.slots[slot] = undefined;
        });
      }
      let session: Session;
      try {
        session = await pending;
      } catch (e) {
        if (e instanceof SessionFailed)
          return e.exchange.kind === 'status' ? statusFailure(e.exchange.status) : e.exchange;
        throw e;
      }
      const id = ++seq;
      const out = await exchange(
        fetchFn,
        conn.url,
        sessionHeaders(conn, session),
        { jsonrpc: '2.0', id, method, params },
        { ...opts, onNotification, cancel, askCaller },
      );
      if (out.kind === 'failed' && out.why === 'cancelled') {
        tellCancelled(fetchFn, conn.url, sessionHeaders(conn, session), id, {});
      }
      // The upstream forgot the session (restart, expiry): open a new one and try once more.
      if (out.kind === 'status' && out.status === 404 && session.id !== undefined && attempt === 0) {
        if (pool.slots[slot] === pending) pool.slots[slot] = undefined;
        continue;
      }
      return out.kind === 'status' ? statusFailure(out.status) : out;
    }
    return statusFailure(404);
  }

  async function modernCall(
    fetchFn: typeof fetch,
    conn: Connection,
    method: string,
    params: Record<string, unknown>,
    onNotification: Notify | undefined,
    cancel: AbortSignal | undefined,
  ) {
    const field = NAME_FIELD[method];
    const name = field === undefined ? undefined : params[field];
    const id = ++seq;
    const out = await exchange(
      fetchFn,
      conn.url,
      {
        ...conn.headers,
        'mcp-protocol-version': MODERN_VERSION,
        'mcp-method': method,
        ...(typeof name === 'string' ? { 'mcp-name': encodeHeaderValue(name) } : {}),
      },
      {
        jsonrpc: '2.0',
        id,
        method,
        params: {
          ...params,
          // The call's own `_meta` may narrow the envelope's client capabilities to the caller's (ADR 0046).
          _meta: { ...envelope(), ...(params._meta as Record<string, unknown> | undefined) },
        },
      },
      { ...opts, onNotification, cancel },
    );
    if (out.kind === 'failed' && out.why === 'cancelled') {
      const headers = {
        ...conn.headers,
        'mcp-protocol-version': MODERN_VERSION,
        'mcp-method': 'notifications/cancelled',
      };
      tellCancelled(fetchFn, conn.url, headers, id, { _meta: envelope() });
    }
    return out.kind === 'status' ? statusFailure(out.status) : out;
  }

  /**
   * MCP cancellation (basic/utilities/cancellation): the caller cancelled or went away, so the upstream is told to stop the
   * request it is working on. Fire and forget: nobody waits for the answer.
   */
  function tellCancelled(
    fetchFn: typeof fetch,
    url: string,
    headers: Record<string, string>,
    requestId: number,
    extra: Record<string, unknown>,
  ): void {
    const params = { requestId, reason: "The gateway's caller cancelled the request or went away", ...extra };
    void exchange(fetchFn, url, headers, { jsonrpc: '2.0', method: 'notifications/cancelled', params }, opts);
  }

  return {
    close: () => sse.close(),
    async call(orgId, server, method, params, onNotification, cancel, askCaller) {
      const conn = await connectionOf(orgId, server.id);
      if (conn === undefined) return { kind: 'failed', why: 'transport', detail: 'the server was removed' };
      const fetchFn = deps.fetchFor(orgId);
      // The legacy HTTP+SSE transport: one pooled stream per server (upstream-sse.ts, ADR 0047).
      if (server.transport === 'sse')
        return sse.call(fetchFn, conn, server, method, params, onNotification, cancel);
      return server.protocolVersion === MODERN_VERSION
        ? modernCall(fetchFn, conn, method, params, onNotification, cancel)
        : legacyCall(fetchFn, conn, server, method, params, onNotification, cancel, askCaller);
    },
  };
}

class SessionFailed extends Error {
  readonly exchange: Exchange;
  constructor(exchange: Exchange) {
    super('the upstream session could not be initialized');
    this.exchange = exchange;
  }
}

const statusFailure = (status: number): Exchange => ({
  kind: 'failed',
  why: 'transport',
  detail: `HTTP ${status} without a JSON-RPC response`,
});
