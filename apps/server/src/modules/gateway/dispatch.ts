import type { Authorizer } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import type { AuditedCall } from './call-audit.ts';
import { invocationClassOf, isAudited } from './call-audit.ts';
import type { Admitted } from './call-limits.ts';
import { throttleRefusal, withRedactions } from './call-obligations.ts';
import { isLogLevel, notificationRelay, retryParams, upstreamMeta } from './call-relay.ts';
import { capabilityOf, type Kind, scalars, str, visible } from './capability-access.ts';
import type { Catalogue, Entry } from './catalogue.ts';
import { type CompletionTarget, completionTarget } from './completions.ts';
import type { GatewayCallRecord } from './gateway-call.ts';
import { discoverResult, initializeResult } from './handshake.ts';
import { RPC, type RpcError, type RpcMessage } from './jsonrpc.ts';
import type { PlatformTools } from './platform-tools.ts';
import { viaTemplate } from './resource-templates.ts';
import { finish, upstreamAnswer } from './upstream-answer.ts';
import type { AskCaller } from './upstream-http.ts';
import type { Upstreams } from './upstreams.ts';

/**
 * The hand-written MCP dispatcher of the default endpoint (issue 11 points 1, 2, 4): one parsed message in, one
 * result or JSON-RPC error out, no SDK `Server` per request (the bench's lean path). Lists show what the PDP lets
 * this caller call, from ONE residual decision per list (ADR 0020/0036); every call, read and get is decided by
 * Cedar on `tools:call` for that capability; fail closed (an engine error is a deny).
 */
export interface DispatchContext {
  readonly principal: Principal;
  readonly authz: Authorizer;
  readonly era: 'modern' | 'legacy';
  readonly bytesIn: number;
  /**
   * Where notifications for the caller go while its request runs (the route streams them as SSE): set when the
   * caller asked for progress (`_meta.progressToken`) and accepts an event stream.
   */
  readonly notify?: ((notification: Readonly<Record<string, unknown>>) => void) | undefined;
  /** Aborted when the caller goes away before its answer (the upstream call is cancelled). */
  readonly cancel?: AbortSignal | undefined;
  /** Puts the upstream's input requests to the caller (ADR 0046); absent: they are refused. */
  readonly askCaller?: AskCaller | undefined;
  /** A virtual server's endpoint (`/mcp/{slug}`): its slug and catalogue; absent for the default endpoint. */
  readonly endpoint?: { readonly slug: string; readonly catalogue: Catalogue } | undefined;
  /** The HTTP request's id (audit events of platform tools carry it). */
  readonly requestId?: string | undefined;
}

export type Answer = { readonly result: unknown } | { readonly error: RpcError };

export function createDispatcher(deps: {
  catalogue: (orgId: string) => Promise<Catalogue>;
  upstreams: Upstreams;
  usage?: { record(r: GatewayCallRecord): void } | undefined;
  limits: { timeoutMs: number; maxResultBytes: number };
  /** The caller's and its org's limits, per use (call-limits.ts); absent: no limits (unit tests). */
  admit?: ((p: DispatchContext['principal']) => Promise<Admitted>) | undefined;
  /** Writes the audit event of a denied or destructive call (call-audit.ts). */
  audit?: ((c: AuditedCall) => Promise<void>) | undefined;
  /** SprintConnect's own tools, offered on `/mcp` only (platform-tools.ts, ADR 0045). */
  platform?: PlatformTools | undefined;
}) {
  // 2026-07-28 lists say how long a client may cache them: what this caller may see is decided per caller and
  // changes with policies and rediscovery, so `private` and not at all.
  const listResult = (result: Record<string, unknown>, ctx: DispatchContext): unknown =>
    ctx.era === 'modern' ? { ...result, resultType: 'complete', ttlMs: 0, cacheScope: 'private' } : result;

  async function use(
    m: RpcMessage,
    ctx: DispatchContext,
    kind: Kind,
    key: 'name' | 'uri',
    via?: CompletionTarget,
  ): Promise<{
    answer: Answer;
    entry?: Entry;
    decisionId?: string;
    outcome: GatewayCallRecord['outcome'];
    invocationClass?: string;
    bytesOut: number;
  }> {
    const orgId = ctx.principal.orgId;
    const wanted = via ? via.wanted : m.params?.[key];
    if (typeof wanted !== 'string') {
      return {
        answer: { error: { code: RPC.invalidParams, message: `params.${key} must be a string` } },
        outcome: 'error',
        bytesOut: 0,
      };
    }
    const cat = ctx.endpoint?.catalogue ?? (await deps.catalogue(orgId));
    const entry = via
      ? via.entry
      : ((kind === 'tool' ? cat.tools : kind === 'prompt' ? cat.prompts : cat.resources).get(wanted) ??
        (kind === 'resource' ? viaTemplate(cat.templates, wanted) : undefined));
    // Another org's tool is not in this org's catalogue: it is unknown here, exactly like a tool nobody has.
    if (entry === undefined) {
      const withheld = kind === 'tool' ? cat.withheld?.get(wanted) : undefined;
      return {
        answer: { error: withheld ?? { code: RPC.invalidParams, message: `Unknown ${kind}: ${wanted}` } },
        outcome: 'error',
        bytesOut: 0,
      };
    }
    // Reads of resources and prompts change nothing; a tool is classed by its own annotations unless the
    // endpoint's override says otherwise (ADR 0048).
    const invocationClass =
      kind === 'tool' ? (entry.invocationClass ?? invocationClassOf(entry.item.annotations)) : 'read';
    // Limits before the decision and before the upstream: a caller over its limit costs neither (point 8).
    const admitted = deps.admit === undefined ? undefined : await deps.admit(ctx.principal);
    if (admitted !== undefined && !admitted.ok) {
      return {
        answer: { error: admitted.error },
        entry,
        outcome: 'rate_limited',
        invocationClass,
        bytesOut: 0,
      };
    }
    const resource = capabilityOf(orgId, entry, kind);
    const d = ctx.authz.decide('tools:call', {
      ...resource,
      call: {
        annotations: kind === 'tool' ? scalars(entry.item.annotations) : {},
        args: via ? scalars(via.args) : kind === 'resource' ? {} : scalars(m.params?.arguments),
        invocationClass,
      },
    });
    const audited = (outcome: GatewayCallRecord['outcome'], reason?: string) =>
      deps.audit === undefined || !isAudited({ outcome, invocationClass })
        ? undefined
        : deps.audit({
            principal: ctx.principal,
            endpoint: ctx.endpoint?.slug ?? 'default',
            serverId: entry.server.id,
            serverName: entry.server.name,
            tool: entry.upstreamName,
            invocationClass,
            outcome,
            decisionId: d.decisionId,
            reason,
          });
    if (!d.allowed) {
      await audited('denied', d.reason);
      return {
        answer: {
          error: {
            code: RPC.denied,
            message: `Policy decision ${d.decisionId} denied ${m.method} of ${wanted}: ${d.reason}`,
            data: { decisionId: d.decisionId, reason: d.reason },
          },
        },
        entry,
        decisionId: d.decisionId,
        outcome: 'denied',
        invocationClass,
        bytesOut: 0,
      };
    }
    // The permitting policies' throttle obligation, as /v1 applies it (point 4; ADR 0048).
    const throttled = throttleRefusal(ctx.authz, 'tools:call', d);
    if (throttled !== undefined) {
      return {
        answer: { error: throttled },
        entry,
        decisionId: d.decisionId,
        outcome: 'rate_limited',
        invocationClass,
        bytesOut: 0,
      };
    }
    // Progress for the caller's token and log messages at its level come back on its stream (call-relay.ts).
    const meta = upstreamMeta(m, ctx.era, entry.server.protocolVersion, ctx.notify !== undefined);
    const params: Record<string, unknown> = {
      ...(via?.params(entry) ??
        (kind === 'resource'
          ? { uri: entry.upstreamName }
          : {
              name: entry.upstreamName,
              ...(m.params?.arguments === undefined ? {} : { arguments: m.params.arguments }),
            })),
      ...retryParams(m, ctx.era, entry.server.protocolVersion),
      ...(meta === undefined ? {} : { _meta: meta }),
    };
    const out = await deps.upstreams.call(
      orgId,
      entry.server,
      m.method,
      params,
      notificationRelay(m, ctx.era, ctx.notify),
      ctx.cancel,
      ctx.askCaller,
    );
    const outcome: GatewayCallRecord['outcome'] =
      out.kind === 'result'
        ? (out.result as { isError?: unknown } | null)?.isError === true
          ? 'error'
          : 'ok'
        : out.kind === 'failed' && out.why === 'timeout'
          ? 'timeout'
          : out.kind === 'failed' && out.why === 'cancelled'
            ? 'error'
            : 'upstream_error';
    const bytesOut = out.kind === 'result' || out.kind === 'rpc_error' ? out.bytes : 0;
    await audited(outcome);
    return {
      answer: withRedactions(upstreamAnswer(entry, m.method, out, ctx.era, deps.limits), d.obligations),
      entry,
      decisionId: d.decisionId,
      outcome,
      invocationClass,
      bytesOut,
    };
  }

  const list = async (ctx: DispatchContext, kind: Kind): Promise<Answer> => {
    const orgId = ctx.principal.orgId;
    const cat = ctx.endpoint?.catalogue ?? (await deps.catalogue(orgId));
    const map = kind === 'tool' ? cat.tools : kind === 'prompt' ? cat.prompts : cat.resources;
    const items = visible(ctx.authz, map.values(), kind, orgId).map((e) =>
      kind === 'resource'
        ? { ...e.item, name: e.listedName ?? `${e.server.name}__${str(e.item.name) || e.upstreamName}` }
        : { ...e.item, name: e.exposedName },
    );
    const key = kind === 'tool' ? 'tools' : kind === 'prompt' ? 'prompts' : 'resources';
    return { result: listResult({ [key]: items }, ctx) };
  };

  return async function dispatch(m: RpcMessage, ctx: DispatchContext): Promise<Answer> {
    switch (m.method) {
      case 'initialize':
        if (ctx.era === 'modern') break;
        return {
          result: initializeResult(str(m.params?.protocolVersion), ctx.endpoint ? 'virtual' : 'default'),
        };
      case 'server/discover':
        if (ctx.era === 'legacy') break;
        return { result: discoverResult(ctx.endpoint ? 'virtual' : 'default') };
      case 'ping':
        return { result: finish({}, ctx.era) };
      case 'logging/setLevel':
        // 2025 era: a session's level is state the stateless gateway cannot keep; accepted, and every level is
        // relayed unless a request names its own (ADR 0046). 2026-07-28 has no such method.
        if (ctx.era === 'modern') break;
        if (!isLogLevel(m.params?.level)) {
          return { error: { code: RPC.invalidParams, message: 'params.level must be a logging level' } };
        }
        return { result: {} };
      case 'tools/list': {
        const proxied = await list(ctx, 'tool');
        return ctx.endpoint === undefined && deps.platform ? deps.platform.around(proxied, ctx) : proxied;
      }
      case 'resources/list':
        return list(ctx, 'resource');
      case 'prompts/list':
        return list(ctx, 'prompt');
      case 'resources/templates/list': {
        // Named like resources (`<server>__<name>`); the URI template is the upstream's (ADR 0047).
        const cat = ctx.endpoint?.catalogue ?? (await deps.catalogue(ctx.principal.orgId));
        const items = visible(ctx.authz, cat.templates ?? [], 'resource', ctx.principal.orgId).map((e) => ({
          ...e.item,
          name: e.listedName ?? `${e.server.name}__${str(e.item.name) || e.upstreamName}`,
        }));
        return { result: listResult({ resourceTemplates: items }, ctx) };
      }
      case 'tools/call': {
        if (ctx.endpoint === undefined && deps.platform?.has(str(m.params?.name))) {
          return deps.platform.call(m, ctx);
        }
        const started = performance.now();
        const r = await use(m, ctx, 'tool', 'name');
        if (r.entry !== undefined) {
          deps.usage?.record({
            orgId: ctx.principal.orgId,
            principalKind: ctx.principal.kind,
            principalId: ctx.principal.id,
            endpoint: ctx.endpoint?.slug ?? 'default',
            serverId: r.entry.server.id,
            tool: r.entry.upstreamName,
            ...(r.invocationClass === undefined ? {} : { invocationClass: r.invocationClass }),
            latencyMs: performance.now() - started,
            outcome: r.outcome,
            bytesIn: ctx.bytesIn,
            bytesOut: r.bytesOut,
            ...(r.decisionId === undefined ? {} : { decisionId: r.decisionId }),
            at: new Date(),
          });
        }
        return r.answer;
      }
      case 'resources/read':
        return (await use(m, ctx, 'resource', 'uri')).answer;
      case 'prompts/get':
        return (await use(m, ctx, 'prompt', 'name')).answer;
      case 'completion/complete': {
        const t = completionTarget(m, ctx.endpoint?.catalogue ?? (await deps.catalogue(ctx.principal.orgId)));
        return 'error' in t ? { error: t.error } : (await use(m, ctx, t.kind, 'name', t)).answer;
      }
    }
    return { error: { code: RPC.methodNotFound, message: `Method not found: ${m.method}` } };
  };
}
