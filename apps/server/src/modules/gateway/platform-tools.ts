import { AjvCompiler } from '@fastify/ajv-compiler';
import { type FieldError, isAppError } from '../../kernel/index.ts';
import type { McpTool } from '../authz/index.ts';
import type { AuditedCall } from './call-audit.ts';
import { invocationClassOf } from './call-audit.ts';
import type { Admitted } from './call-limits.ts';
import type { Answer, DispatchContext } from './dispatch.ts';
import type { GatewayCallRecord } from './gateway-call.ts';
import { RPC, type RpcError, type RpcMessage } from './jsonrpc.ts';
import { finish } from './upstream-answer.ts';

/**
 * SprintConnect's own tools on the default endpoint `/mcp` (issue 11 point 7, ADR 0045): the modules' MCP tool
 * contributions, listed beside the proxied tools to callers the PDP allows each one's action, called with
 * arguments validated against their input schema (as strictly as a `/v1` JSON body), answered as MCP results.
 *
 * Names: `sprintconnect__<name>`. They are SprintConnect's reserved names on `/mcp`: a registered server named
 * `sprintconnect` does not shadow them (its tools of the same names are neither listed nor called there; it is
 * reachable through a virtual server, which names its tools as it likes).
 */
export const PLATFORM_SERVER = 'sprintconnect';
export const platformToolName = (name: string): string => `${PLATFORM_SERVER}__${name}`;

/** Arguments past this size are refused before validation: no tool of ours takes more (a body is up to 4 MB). */
const MAX_ARGS_CHARS = 64 * 1024;

export interface PlatformTools {
  has(name: string): boolean;
  /** The tool definitions this caller may call, in contribution order. */
  list(ctx: DispatchContext): Record<string, unknown>[];
  call(m: RpcMessage, ctx: DispatchContext): Promise<Answer>;
  /** A `tools/list` answer of `/mcp` with these tools first; a proxied tool of the same name is not listed. */
  around(answer: Answer, ctx: DispatchContext): Answer;
}

type Validate = ((data: unknown) => boolean) & {
  errors?:
    | { keyword: string; instancePath: string; message?: string; params?: Record<string, unknown> }[]
    | null;
};

// The same Ajv setup as /v1 JSON bodies (http/validators.ts): strict types, every error, defaults filled in.
const compilerOptions = { removeAdditional: false, allErrors: true, useDefaults: true, coerceTypes: false };

/** Published schemas carry no `$id`: a client compiles every tool's schema, and two naming `Server` clash. */
function withoutIds(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema), (k, v) => (k === '$id' ? undefined : v));
}

const invalid = (message: string, errors: readonly FieldError[]): Answer => ({
  error: { code: RPC.invalidParams, message, data: { errors } },
});

export function createPlatformTools(deps: {
  tools: readonly McpTool[];
  admit?: ((p: DispatchContext['principal']) => Promise<Admitted>) | undefined;
  usage?: { record(r: GatewayCallRecord): void } | undefined;
  audit?: ((c: AuditedCall) => Promise<void>) | undefined;
  /** Where an unexpected failure of a handler is written (the caller is told only that it failed). */
  logError?: ((details: Record<string, unknown>, message: string) => void) | undefined;
}): PlatformTools {
  const compile = AjvCompiler()({}, { customOptions: compilerOptions });
  const byName = new Map<
    string,
    { tool: McpTool; validate: Validate; definition: Record<string, unknown> }
  >();
  for (const tool of deps.tools) {
    const name = platformToolName(tool.name);
    if (byName.has(name)) throw new Error(`Two platform tools are named ${name}`);
    const validate = compile({
      schema: withoutIds(tool.inputSchema) as object,
      method: 'POST',
      url: '/mcp',
      httpPart: 'body',
    });
    const definition = {
      name,
      title: tool.title,
      description: tool.description,
      inputSchema: withoutIds(tool.inputSchema),
      ...(tool.outputSchema === undefined ? {} : { outputSchema: withoutIds(tool.outputSchema) }),
      annotations: { title: tool.title, ...tool.annotations },
    };
    byName.set(name, { tool, validate: validate as Validate, definition });
  }

  async function run(
    m: RpcMessage,
    ctx: DispatchContext,
    tool: McpTool,
    validate: Validate,
  ): Promise<{ answer: Answer; outcome: GatewayCallRecord['outcome']; decisionId?: string; bytes: number }> {
    const given = m.params?.arguments ?? {};
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      return { answer: invalid('params.arguments must be an object', []), outcome: 'error', bytes: 0 };
    }
    const text = JSON.stringify(given);
    if (text.length > MAX_ARGS_CHARS) {
      const detail = `must be at most ${MAX_ARGS_CHARS} characters of JSON`;
      return {
        answer: invalid(`Invalid arguments: ${detail}`, [{ pointer: '', detail }]),
        outcome: 'error',
        bytes: 0,
      };
    }
    const args = JSON.parse(text) as Record<string, unknown>;
    if (!validate(args)) {
      const errors = (validate.errors ?? []).map((e) => ({
        pointer:
          e.keyword === 'additionalProperties' || e.keyword === 'required'
            ? `${e.instancePath}/${String(e.params?.additionalProperty ?? e.params?.missingProperty ?? '')}`
            : e.instancePath,
        detail: e.message ?? 'is invalid',
      }));
      const first = errors[0];
      return {
        answer: invalid(
          `Invalid arguments${first === undefined ? '' : `: ${first.pointer} ${first.detail}`}`,
          errors,
        ),
        outcome: 'error',
        bytes: 0,
      };
    }
    // The same limits as every capability use through the gateway (ADR 0040, "Limits on calls").
    const admitted = deps.admit === undefined ? undefined : await deps.admit(ctx.principal);
    if (admitted !== undefined && !admitted.ok)
      return { answer: { error: admitted.error }, outcome: 'rate_limited', bytes: 0 };
    try {
      const out = await tool.handler(
        { principal: ctx.principal, authz: ctx.authz, requestId: ctx.requestId ?? '' },
        args,
      );
      const json = JSON.stringify(out ?? null);
      const structured = JSON.parse(json) as unknown;
      const result = {
        content: [{ type: 'text', text: json }],
        ...(typeof structured === 'object' && structured !== null && !Array.isArray(structured)
          ? { structuredContent: structured }
          : {}),
      };
      return { answer: { result: finish(result, ctx.era) }, outcome: 'ok', bytes: Buffer.byteLength(json) };
    } catch (e) {
      if (!isAppError(e)) {
        deps.logError?.({ err: e, tool: tool.name }, 'platform tool failed');
        const error = { code: RPC.internalError, message: `${platformToolName(tool.name)} failed` };
        return { answer: { error }, outcome: 'error', bytes: 0 };
      }
      const decisionId = typeof e.extensions?.decisionId === 'string' ? e.extensions.decisionId : undefined;
      if (e.code === 'forbidden' && decisionId !== undefined) {
        // A PDP denial, answered as a proxied tool's is (ADR 0040): the message and `data` name the decision.
        const error: RpcError = {
          code: RPC.denied,
          message: `Policy decision ${decisionId} denied tools/call of ${platformToolName(tool.name)}: ${e.detail}`,
          data: { decisionId, reason: e.detail },
        };
        return { answer: { error }, outcome: 'denied', decisionId, bytes: 0 };
      }
      if (e.code === 'rate_limited') {
        const retryAfterSeconds = e.retryAfterSeconds ?? 1;
        const error: RpcError = {
          code: RPC.rateLimited,
          message: `${e.detail} Retry in ${retryAfterSeconds} s.`,
          data: { code: e.code, retryAfterSeconds, ...(decisionId === undefined ? {} : { decisionId }) },
        };
        return { answer: { error }, outcome: 'rate_limited', bytes: 0 };
      }
      // What the service refused (not found, name taken, quota, URL refused...) is the tool's own error, shown
      // to the model as a result (MCP tools: tool execution errors are `isError` results), with the problem's code.
      const problem = {
        code: e.code,
        detail: e.detail,
        ...(e.errors === undefined ? {} : { errors: e.errors }),
      };
      const json = JSON.stringify(problem);
      return {
        answer: { result: finish({ content: [{ type: 'text', text: json }], isError: true }, ctx.era) },
        outcome: 'error',
        bytes: Buffer.byteLength(json),
      };
    }
  }

  function visibleTo(ctx: DispatchContext): Record<string, unknown>[] {
    const org = { type: 'org', orgId: ctx.principal.orgId } as const;
    // One decision per action (several tools share one), not per tool.
    const allowed = new Map<string, boolean>();
    const out: Record<string, unknown>[] = [];
    for (const { tool, definition } of byName.values()) {
      let ok = allowed.get(tool.action);
      if (ok === undefined) {
        ok = ctx.authz.decide(tool.action, org).allowed;
        allowed.set(tool.action, ok);
      }
      if (ok) out.push(definition);
    }
    return out;
  }

  return {
    has: (name) => byName.has(name),
    around(answer, ctx) {
      if (!('result' in answer)) return answer;
      const r = answer.result as { tools: { name?: unknown }[] };
      const proxied = r.tools.filter((t) => typeof t.name !== 'string' || !byName.has(t.name));
      return { result: { ...r, tools: [...visibleTo(ctx), ...proxied] } };
    },
    list: visibleTo,
    async call(m, ctx) {
      const name = String(m.params?.name);
      const found = byName.get(name)!;
      const started = performance.now();
      const invocationClass = invocationClassOf(found.tool.annotations);
      const r = await run(m, ctx, found.tool, found.validate);
      if (r.outcome === 'denied') {
        await deps.audit?.({
          principal: ctx.principal,
          endpoint: 'default',
          serverId: PLATFORM_SERVER,
          serverName: PLATFORM_SERVER,
          tool: found.tool.name,
          invocationClass,
          outcome: 'denied',
          decisionId: r.decisionId,
        });
      }
      deps.usage?.record({
        orgId: ctx.principal.orgId,
        principalKind: ctx.principal.kind,
        principalId: ctx.principal.id,
        endpoint: 'default',
        serverId: PLATFORM_SERVER,
        tool: found.tool.name,
        invocationClass,
        latencyMs: performance.now() - started,
        outcome: r.outcome,
        bytesIn: ctx.bytesIn,
        bytesOut: r.bytes,
        ...(r.decisionId === undefined ? {} : { decisionId: r.decisionId }),
        at: new Date(),
      });
      return r.answer;
    },
  };
}
