import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChangeFeed } from './change-feed.ts';
import { META } from './era.ts';
import { errorResponse, RPC, type RpcMessage } from './jsonrpc.ts';
import type { McpCaller } from './mcp-auth.ts';

/**
 * Change notifications to the gateway's callers (issue 11 point 6, ADR 0047), on the stream each era offers:
 * - 2025 era: the standalone stream a client opens with GET on the endpoint after `initialize` (2025-11-25
 *   transports, "Listening for Messages from the Server"); no session, so it carries only what is the same for
 *   every caller of the org: `notifications/{tools,resources,prompts}/list_changed`.
 * - 2026-07-28: `subscriptions/listen` (SEP-2575), a POST whose response is the stream: first
 *   `notifications/subscriptions/acknowledged` with the honored filter, then the list changes it asked for,
 *   each stamped with `io.modelcontextprotocol/subscriptionId` (the request id); when the gateway shuts down,
 *   the listen result ends the stream gracefully. Resource subscriptions are not honored (no `subscribe`).
 * A notification says only that something changed: the caller re-lists, and its policies decide what it sees.
 */
const KINDS = [
  ['toolsListChanged', 'notifications/tools/list_changed'],
  ['resourcesListChanged', 'notifications/resources/list_changed'],
  ['promptsListChanged', 'notifications/prompts/list_changed'],
] as const;
type Filter = Partial<Record<(typeof KINDS)[number][0], true>>;

const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';

export interface NotifyStreams {
  /** The 2025-era standalone stream; false when the caller gets none (405: over its limit). */
  standalone(req: FastifyRequest, reply: FastifyReply, caller: McpCaller, slug: string | undefined): boolean;
  /** The 2026-07-28 `subscriptions/listen` request. */
  listen(reply: FastifyReply, m: RpcMessage, caller: McpCaller, slug: string | undefined): FastifyReply;
  /** Ends every open stream (a listen stream with its result): the process is shutting down. */
  closeAll(): void;
}

export function createNotifyStreams(deps: {
  feed: ChangeFeed;
  serverInfo: Record<string, unknown>;
  keepAliveMs?: number;
  /** Open streams per principal and process; a caller cannot hold connections without bound. */
  perPrincipal?: number;
}): NotifyStreams {
  const open = new Set<(graceful: boolean) => void>();
  const perPrincipal = new Map<string, number>();
  const limit = deps.perPrincipal ?? 16;

  /** A kept-open SSE response that writes `onChange`'s frames after each change of the org. */
  function stream(
    reply: FastifyReply,
    caller: McpCaller,
    first: string[],
    onChange: () => string[],
    last?: () => string,
  ) {
    const who = `${caller.principal.orgId}/${caller.principal.kind}/${caller.principal.id}`;
    perPrincipal.set(who, (perPrincipal.get(who) ?? 0) + 1);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    // Node sends the headers with the first write; a quiet GET stream would leave its client waiting for them.
    res.flushHeaders();
    const write = (frames: string[]) => {
      for (const f of frames) res.write(`event: message\ndata: ${f}\n\n`);
    };
    write(first);
    const unsubscribe = deps.feed.subscribe(caller.principal.orgId, () => write(onChange()));
    // Comments keep proxies and the client's idle timers from closing a quiet stream.
    const keepAlive = setInterval(() => res.write(': keepalive\n\n'), deps.keepAliveMs ?? 25_000);
    keepAlive.unref();
    let ended = false;
    const end = (graceful: boolean) => {
      if (ended) return;
      ended = true;
      open.delete(end);
      unsubscribe();
      clearInterval(keepAlive);
      const n = (perPrincipal.get(who) ?? 1) - 1;
      if (n <= 0) perPrincipal.delete(who);
      else perPrincipal.set(who, n);
      if (graceful && last !== undefined) write([last()]);
      res.end();
    };
    open.add(end);
    res.once('close', () => end(false));
    return end;
  }

  const overLimit = (caller: McpCaller) =>
    (perPrincipal.get(`${caller.principal.orgId}/${caller.principal.kind}/${caller.principal.id}`) ?? 0) >=
    limit;

  return {
    standalone(_req, reply, caller, _slug) {
      if (overLimit(caller)) return false;
      stream(reply, caller, [], () => KINDS.map(([, method]) => JSON.stringify({ jsonrpc: '2.0', method })));
      return true;
    },
    listen(reply, m, caller, _slug) {
      const requested = (m.params as { notifications?: unknown } | undefined)?.notifications;
      if (typeof requested !== 'object' || requested === null || Array.isArray(requested)) {
        const error = { code: RPC.invalidParams, message: "Invalid params: 'notifications' is required" };
        return reply
          .code(200)
          .header('content-type', 'application/json')
          .send(errorResponse(m.id ?? null, error));
      }
      if (overLimit(caller)) {
        const error = { code: RPC.internalError, message: 'Subscription limit reached' };
        return reply
          .code(200)
          .header('content-type', 'application/json')
          .send(errorResponse(m.id ?? null, error));
      }
      const offered = KINDS;
      const honored: Filter = {};
      for (const [field] of offered)
        if ((requested as Record<string, unknown>)[field] === true) honored[field] = true;
      const id = m.id ?? null;
      const note = (method: string, params: Record<string, unknown> = {}) =>
        JSON.stringify({ jsonrpc: '2.0', method, params: { ...params, _meta: { [SUBSCRIPTION_ID]: id } } });
      const result = () =>
        JSON.stringify({
          jsonrpc: '2.0',
          id,
          result: {
            resultType: 'complete',
            _meta: { [SUBSCRIPTION_ID]: id, [META.serverInfo]: deps.serverInfo },
          },
        });
      const end = stream(
        reply,
        caller,
        [note('notifications/subscriptions/acknowledged', { notifications: honored })],
        () => offered.filter(([field]) => honored[field]).map(([, method]) => note(method)),
        result,
      );
      // Nothing honored: the subscription ends at once, gracefully (SEP-2575).
      if (Object.keys(honored).length === 0) end(true);
      return reply;
    },
    closeAll() {
      for (const end of [...open]) end(true);
    },
  };
}
