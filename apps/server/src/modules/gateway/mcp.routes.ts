import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../kernel/index.ts';
import { inputRelay } from './call-relay.ts';
import { callStream } from './call-stream.ts';
import type { Catalogue } from './catalogue.ts';
import type { Answer, DispatchContext } from './dispatch.ts';
import { eraOf, MODERN_VERSION } from './era.ts';
import { GatewayError } from './gateway.errors.ts';
import { callerKey, INPUT_ID_PREFIX, type InflightCalls } from './inflight-calls.ts';
import { classifyBody, errorResponse, RPC, type RpcMessage, resultResponse } from './jsonrpc.ts';
import type { McpAuthRequest, McpCaller } from './mcp-auth.ts';
import type { NotifyStreams } from './notify-streams.ts';

/**
 * `/mcp`, the org's default MCP endpoint over Streamable HTTP (MCP 2026-07-28 and 2025-era transports; issue 11
 * point 1): POST only, stateless (no `Mcp-Session-Id` is ever issued, so any process answers any request; GET
 * and DELETE are 405, the spec's answer when a server offers no stream and no session). Each request is
 * authenticated before its body is read, parsed once, checked (JSON-RPC shape, era, mirrored headers) and
 * handed to the dispatcher; every answer is one JSON response.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** What the JSON parser hands on for a body that is not JSON: answered with -32700, not a problem page. */
const NOT_JSON = Symbol('not json');

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** A virtual server's slug (ADR 0041); anything else cannot name one and is not echoed into a challenge. */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const slugOf = (req: FastifyRequest): string | undefined => (req.params as { slug?: string }).slug;

/** The same answer for a slug the caller's org does not have, has disabled, or another org has (issue 11). */
const noEndpoint = () =>
  new GatewayError('mcp_endpoint_not_found', 'Your organization has no enabled MCP endpoint at this path.');

export function mcpRoutes(deps: {
  publicUrl: string;
  authenticate: (req: McpAuthRequest) => Promise<McpCaller>;
  dispatch: (m: RpcMessage, ctx: DispatchContext) => Promise<Answer>;
  /** A virtual server's catalogue for `/mcp/{slug}`; undefined when the org has no enabled one there. */
  endpoint?: ((orgId: string, slug: string) => Promise<Catalogue | undefined>) | undefined;
  /** Calls running for callers, cancellable from any process (ADR 0046); absent: only a disconnect cancels. */
  inflight?: InflightCalls | undefined;
  /** How long a relayed input request waits for the caller (the upstream call's own timeout). */
  inputTimeoutMs?: number | undefined;
  /** Change notifications: the 2025 GET stream and 2026 `subscriptions/listen` (ADR 0047). */
  streams?: NotifyStreams | undefined;
}): FastifyPluginAsync {
  const origin = new URL(deps.publicUrl).origin;
  const callers = new WeakMap<FastifyRequest, McpCaller>();
  const json = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).header('content-type', 'application/json').send(body);

  return async (app) => {
    // Encapsulated: this parser serves /mcp only. One JSON.parse per request; bad JSON is a JSON-RPC answer.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(null, NOT_JSON);
      }
    });

    // MCP transports, "Security Warning": validate Origin against DNS rebinding; a browser page of another
    // origin is refused before anything else. Then the caller, before a byte of the body is read.
    app.addHook('onRequest', async (req) => {
      const o = one(req.headers.origin);
      if (o !== undefined && o !== origin) {
        throw new GatewayError(
          'mcp_origin_not_allowed',
          `Requests from the origin ${o} are not accepted by this MCP endpoint.`,
        );
      }
      const slug = slugOf(req);
      if (slug !== undefined && (!SLUG.test(slug) || deps.endpoint === undefined)) throw noEndpoint();
      if (req.method !== 'POST' && (req.method !== 'GET' || deps.streams === undefined)) return;
      callers.set(
        req,
        await deps.authenticate({
          authorization: one(req.headers.authorization),
          dpop: one(req.headers.dpop),
          method: req.method,
          ip: req.ip,
          log: (entry) => req.log.info({ policyDecision: entry }, 'policy decision'),
          slug,
        }),
      );
    });

    const notAllowed = async (_req: FastifyRequest, reply: FastifyReply) => {
      reply.header('allow', 'POST');
      throw new GatewayError(
        'mcp_method_not_allowed',
        'This MCP endpoint is stateless: POST each message; it offers no stream (GET) and no session (DELETE).',
      );
    };
    // The 2025 era's standalone stream (ADR 0047); 2026-07-28 has none (it listens with a POST), so a GET
    // naming that revision, or not asking for an event stream, is 405 as before.
    const get = async (req: FastifyRequest, reply: FastifyReply) => {
      const caller = callers.get(req);
      const sse = (one(req.headers.accept) ?? '').includes('text/event-stream');
      const modern = one(req.headers['mcp-protocol-version']) === MODERN_VERSION;
      if (deps.streams === undefined || caller === undefined || !sse || modern) return notAllowed(req, reply);
      const slug = slugOf(req);
      if (slug !== undefined && (await deps.endpoint?.(caller.principal.orgId, slug)) === undefined)
        throw noEndpoint();
      if (!deps.streams.standalone(req, reply, caller, slug)) return notAllowed(req, reply);
      return reply;
    };
    app.addHook('preClose', async () => deps.streams?.closeAll());
    app.get('/mcp', { schema: { hide: true } }, get);
    app.delete('/mcp', { schema: { hide: true } }, notAllowed);
    app.get('/mcp/:slug', { schema: { hide: true } }, get);
    app.delete('/mcp/:slug', { schema: { hide: true } }, notAllowed);

    const post = async (req: FastifyRequest, reply: FastifyReply) => {
      const caller = callers.get(req);
      if (caller === undefined) throw new AppError('unauthenticated', 'No caller.');
      // `/mcp/{slug}`: the caller's org's enabled virtual server, looked up in the caller's org only, so another
      // org's slug is exactly as unknown as one nobody has.
      const slug = slugOf(req);
      let endpoint: DispatchContext['endpoint'];
      if (slug !== undefined) {
        const catalogue = await deps.endpoint?.(caller.principal.orgId, slug);
        if (catalogue === undefined) throw noEndpoint();
        endpoint = { slug, catalogue };
      }
      if (req.body === NOT_JSON) {
        return json(
          reply,
          400,
          errorResponse(null, { code: RPC.parseError, message: 'Parse error: the body is not JSON' }),
        );
      }
      const inbound = classifyBody(req.body);
      if (inbound.kind === 'invalid') return json(reply, 400, errorResponse(inbound.id, inbound.error));
      if (inbound.kind === 'response') {
        // A caller's answer to an input request the gateway relayed: to the call it belongs to, in any process.
        if (typeof inbound.id === 'string' && inbound.id.startsWith(INPUT_ID_PREFIX)) {
          await deps.inflight?.answer(callerKey(caller.principal), inbound.id, inbound.message);
        }
        return reply.code(202).send();
      }
      const m = inbound.message;
      const era = eraOf(m, {
        protocolVersion: one(req.headers['mcp-protocol-version']),
        method: one(req.headers['mcp-method']),
        name: one(req.headers['mcp-name']),
      });
      if ('error' in era) return json(reply, era.status, errorResponse(m.id ?? null, era.error));
      // A caller's cancellation stops its own request, in whichever process runs it (MCP cancellation).
      const requestId = m.params?.requestId;
      if (
        m.method === 'notifications/cancelled' &&
        (typeof requestId === 'string' || typeof requestId === 'number')
      ) {
        await deps.inflight?.cancel(callerKey(caller.principal), requestId);
      }
      if (m.method === 'subscriptions/listen' && era.era === 'modern' && deps.streams !== undefined)
        return deps.streams.listen(reply, m, caller, slug);
      // Notifications (initialized, cancelled, progress...) need no answer; the gateway holds no state for them.
      if (m.id === undefined) return reply.code(202).send();
      // A caller that goes away before its answer cancels the upstream call (MCP cancellation).
      const gone = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) gone.abort();
      });
      const ctx: DispatchContext = {
        cancel: gone.signal,
        principal: caller.principal,
        authz: caller.authz,
        era: era.era,
        bytesIn: Number(req.headers['content-length'] ?? 0) || 0,
        endpoint,
        requestId: String(req.id),
      };
      // Progress, log messages and input requests reach the caller on its response stream (ADR 0046).
      const stream = callStream(reply, (one(req.headers.accept) ?? '').includes('text/event-stream'));
      let answer: Answer;
      const untrack = deps.inflight?.track(callerKey(caller.principal), m.id ?? null, () => gone.abort());
      try {
        const askCaller = inputRelay({
          era: era.era,
          send: stream.send,
          inflight: deps.inflight,
          caller: callerKey(caller.principal),
          cancel: gone.signal,
          timeoutMs: deps.inputTimeoutMs ?? 30_000,
        });
        answer = await deps.dispatch(m, { ...ctx, notify: stream.send, askCaller });
      } catch (e) {
        if (!stream.started()) throw e;
        req.log.error({ err: e }, 'MCP gateway call failed');
        answer = { error: { code: RPC.internalError, message: 'Internal error' } };
      } finally {
        untrack?.();
      }
      if (stream.started()) {
        stream.end(
          'error' in answer ? errorResponse(m.id, answer.error) : resultResponse(m.id, answer.result),
        );
        return reply;
      }
      if ('error' in answer) {
        // 2026-07-28 answers an unknown method with 404 (the SDK's ladder); the 2025 era with 200.
        const status = answer.error.code === RPC.methodNotFound && era.era === 'modern' ? 404 : 200;
        return json(reply, status, errorResponse(m.id, answer.error));
      }
      return json(reply, 200, resultResponse(m.id, answer.result));
    };
    app.post('/mcp', { bodyLimit: MAX_BODY_BYTES, schema: { hide: true } }, post);
    app.post('/mcp/:slug', { bodyLimit: MAX_BODY_BYTES, schema: { hide: true } }, post);
  };
}
