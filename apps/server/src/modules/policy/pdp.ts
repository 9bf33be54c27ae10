import { createHash, randomUUID } from 'node:crypto';
import { createZonedTime, type ZonedTime, type ZonedTimeOf } from '../../kernel/index.ts';
import type { CedarEntity, CedarEntityUid, CedarRequest, PolicyEngine } from '../../platform/policy/index.ts';
import { createPolicyEngine } from '../../platform/policy/index.ts';
import type { Obligations, Resource } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import { CEDAR_SCHEMA, CEDAR_NAMESPACE as NS } from './cedar-schema.ts';
import { createDecisionMemo, type DecisionMemo } from './decision-memo.ts';
import type { PolicySetHandle } from './policy-set.ts';

/**
 * The policy decision point: turns (principal, action, resource) plus the request's facts into a Cedar request
 * on the org's policy set, and the answer into a decision with an id, reasons and obligations. Every decision
 * is handed to the request's decision log with the policy-set version, a hash of the input and its latency.
 *
 * One PDP is built at start (the policy module's factory) and handed to whatever decides: the engine (the wasm
 * instance it drives is per process anyway), its decision memo and its time-zone formatters are its own state,
 * never module globals (issue 9 point 2, ADR 0029).
 */
export type ResourceRef = Resource;

/** Where a request's decisions are logged (one structured line each; the HTTP adapter writes them). */
export type DecisionLog = (entry: Readonly<Record<string, unknown>>) => void;

export interface PdpOutcome {
  readonly id: string;
  readonly allowed: boolean;
  readonly reasons: readonly string[];
  readonly errors: readonly string[];
  readonly obligations: Obligations;
  readonly version: string | undefined;
  /** Annotations `@reason("...")` of the policies that decided, for messages. */
  readonly reasonTexts: readonly string[];
}

const uid = (type: string, id: string): CedarEntityUid => ({ type: `${NS}::${type}`, id });
const ref = (type: string, id: string) => ({ __entity: uid(type, id) });
const NO_OBLIGATIONS: Obligations = Object.freeze({ redact: [] });

function principalEntities(
  p: Principal,
  set: PolicySetHandle,
): { uid: CedarEntityUid; entities: CedarEntity[] } {
  const org = ref('Org', p.orgId);
  if (p.kind !== 'user' && p.kind !== 'client' && p.kind !== 'api_key') {
    throw new Error(`unknown kind of caller ${String(p.kind)}`);
  }
  // An API key is governed by its scopes and, like a user, by the roles it holds (ADR 0037).
  const u = uid(p.kind === 'user' ? 'User' : p.kind === 'client' ? 'Client' : 'ApiKey', p.id);
  const attrs: CedarEntity['attrs'] =
    p.kind === 'user'
      ? { org, email: p.email ?? '' }
      : p.kind === 'api_key'
        ? { org, scopes: [...p.scopes] }
        : { org };
  const entities: CedarEntity[] = [{ uid: u, attrs, parents: p.roles.map((r) => uid('Role', r)) }];
  // The principal's roles and their ancestors, each with its parent: `principal in Role::"viewer"` follows the
  // inheritance chain. Only the chain is sent (each entity costs conversion and schema checks per decision).
  const seen = new Set<string>();
  for (const start of p.roles) {
    for (let name: string | null | undefined = start; name != null && !seen.has(name); ) {
      seen.add(name);
      const parent: string | null | undefined = set.roleParents.get(name);
      entities.push({
        uid: uid('Role', name),
        attrs: {},
        parents: parent == null ? [] : [uid('Role', parent)],
      });
      name = parent;
    }
  }
  return { uid: u, entities };
}

/**
 * The resource and the entities it needs. An org is only compared (`resource == principal.org`), never read,
 * so it is not sent: every entity costs conversion into the wasm and schema checks on every decision.
 */
function resourceEntities(r: ResourceRef): { uid: CedarEntityUid; entities: CedarEntity[] } {
  const org = ref('Org', r.orgId);
  if (r.type === 'org' || r.id === undefined) return { uid: uid('Org', r.orgId), entities: [] };
  if (r.type === 'server' && r.server !== undefined) {
    const u = uid('Server', r.id);
    const { name, environment, tags } = r.server;
    return {
      uid: u,
      entities: [{ uid: u, attrs: { org, name, environment, tags: [...tags] }, parents: [] }],
    };
  }
  if (r.type === 'capability' && r.capability !== undefined && r.server !== undefined) {
    const s = uid('Server', r.capability.serverId);
    const u = uid('Capability', r.id);
    const { name, environment, tags } = r.server;
    return {
      uid: u,
      entities: [
        {
          uid: u,
          attrs: { org, server: { __entity: s }, kind: r.capability.kind, name: r.capability.name },
          parents: [s],
        },
        { uid: s, attrs: { org, name, environment, tags: [...tags] }, parents: [] },
      ],
    };
  }
  const u = uid('Resource', `${r.type}/${r.id}`);
  return { uid: u, entities: [{ uid: u, attrs: { org, kind: r.type }, parents: [] }] };
}

export function obligationsOf(set: PolicySetHandle, reasons: readonly string[]): Obligations {
  let redact: string[] | undefined;
  let throttle: string | undefined;
  for (const id of reasons) {
    const a = set.annotations[id];
    if (a === undefined) continue;
    if (a.obligation_redact !== undefined) {
      redact ??= [];
      for (const f of a.obligation_redact.split(',')) if (f.trim() !== '') redact.push(f.trim());
    }
    if (a.obligation_throttle !== undefined) throttle = a.obligation_throttle;
  }
  if (redact === undefined && throttle === undefined) return NO_OBLIGATIONS;
  return { redact: redact ?? [], ...(throttle === undefined ? {} : { throttle }) };
}

export interface DecideInput {
  readonly principal: Principal;
  /** When the request is decided (the context's local time) and from where (`context.ip`). */
  readonly at: Date;
  readonly ip?: string | undefined;
  readonly action: string;
  readonly resource: ResourceRef;
  readonly scopeGranted: boolean;
  readonly tokenScoped: boolean;
  /** Whether the caller holds `servers:production` (asked only when the resource is in production). */
  readonly productionAccess?: boolean;
}

/** `context.time` as the Cedar schema declares it (cedar-schema.ts `LocalTime`): no seconds. */
const cedarTime = ({ hour, minute, weekday, date }: ZonedTime) => ({ hour, minute, weekday, date });

const ANNOTATION_HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;

/**
 * A gateway call's context (ADR 0040): the tool's boolean hints as `context.annotations`, and its top-level
 * scalar arguments as the tags of one `CallArguments` entity, `context.args` (`context.args.hasTag("path") &&
 * context.args.getTag("path") like "/etc/*"`), each value as its JSON text when it is not a string.
 */
function callContext(call: NonNullable<ResourceRef['call']>): {
  context: Record<string, unknown>;
  entity: CedarEntity;
} {
  const annotations: Record<string, boolean> = {};
  for (const k of ANNOTATION_HINTS) {
    const v = call.annotations[k];
    if (typeof v === 'boolean') annotations[k] = v;
  }
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(call.args)) tags[k] = typeof v === 'string' ? v : JSON.stringify(v);
  const u = uid('CallArguments', 'call');
  return {
    context: {
      args: { __entity: u },
      annotations,
      ...(call.invocationClass === undefined ? {} : { invocationClass: call.invocationClass }),
    },
    entity: { uid: u, attrs: {}, parents: [], tags },
  };
}

function cedarRequestOf(input: DecideInput, set: PolicySetHandle, zonedTime: ZonedTimeOf): CedarRequest {
  const { principal: p, resource, at } = input;
  const who = principalEntities(p, set);
  const what = resourceEntities(resource);
  const call = resource.call === undefined ? undefined : callContext(resource.call);
  const entities = [...who.entities, ...what.entities, ...(call === undefined ? [] : [call.entity])];
  return {
    principal: who.uid,
    action: uid('Action', input.action),
    resource: what.uid,
    context: {
      authMethod: p.authMethod,
      roles: [...p.roles],
      scopes: [...p.scopes],
      tokenScoped: input.tokenScoped,
      scopeGranted: input.scopeGranted,
      ...(input.ip === undefined ? {} : { ip: { __extn: { fn: 'ip', arg: input.ip } } }),
      time: cedarTime(zonedTime(at, set.timeZone)),
      ...(input.productionAccess === undefined ? {} : { productionAccess: input.productionAccess }),
      ...call?.context,
    },
    entities,
  };
}

const refusal = (id: string, error: string, version?: string): PdpOutcome => ({
  id,
  allowed: false,
  reasons: [],
  errors: [error],
  obligations: NO_OBLIGATIONS,
  version,
  reasonTexts: [],
});

export interface Pdp {
  readonly engine: PolicyEngine;
  /** The Cedar request for a decision; for dry runs (a candidate set) and residuals (resource unknown). */
  request(input: DecideInput, set: PolicySetHandle): CedarRequest;
  /** Decides on the org's loaded set; no set (or another org's) is a deny. Logged to `log` when given. */
  decide(input: DecideInput, set: PolicySetHandle | undefined, log?: DecisionLog): PdpOutcome;
  /** Hits and misses of the decision memo (bench/policy reports them). */
  memoStats(): { hits: number; misses: number; size: number };
}

export function createPdp(opts: { engine?: PolicyEngine; memo?: DecisionMemo } = {}): Pdp {
  const engine = opts.engine ?? createPolicyEngine({ schemaName: 'sprintconnect', schema: CEDAR_SCHEMA });
  const memo = opts.memo ?? createDecisionMemo();
  const zonedTime = createZonedTime();
  const request = (input: DecideInput, set: PolicySetHandle) => cedarRequestOf(input, set, zonedTime);
  return {
    engine,
    request,
    decide: (input, set, log) => decide(engine, memo, request, input, set, log),
    memoStats: () => memo.stats(),
  };
}

function decide(
  engine: PolicyEngine,
  memo: DecisionMemo,
  request: (input: DecideInput, set: PolicySetHandle) => CedarRequest,
  input: DecideInput,
  set: PolicySetHandle | undefined,
  log: DecisionLog | undefined,
): PdpOutcome {
  const started = performance.now();
  const id = randomUUID();
  let outcome: PdpOutcome = refusal(id, 'the policy decision point did not decide');
  let inputHash: string | undefined;
  let cached = false;
  if (set === undefined || set.orgId !== input.principal.orgId) {
    outcome = refusal(id, 'no policy set is available for this request');
  } else {
    let req: CedarRequest | undefined;
    try {
      req = request(input, set);
    } catch (e) {
      // Anything that stops us from building the request (an unknown kind of caller...) is a deny.
      outcome = refusal(id, (e as Error).message, set.version);
    }
    if (req !== undefined) {
      inputHash = createHash('sha256')
        .update(JSON.stringify([req.principal, req.action, req.resource, req.context, req.entities]))
        .digest('hex')
        .slice(0, 32);
      let d = memo.get(set.setId, inputHash);
      cached = d !== undefined;
      if (d === undefined) {
        d = engine.decide(set.setId, req);
        memo.set(set.setId, inputHash, d);
      }
      outcome = {
        id,
        allowed: d.allowed,
        reasons: d.reasons,
        errors: d.errors,
        obligations: d.allowed ? obligationsOf(set, d.reasons) : NO_OBLIGATIONS,
        version: set.version,
        reasonTexts: d.reasons.flatMap((r) => {
          const t = set.annotations[r]?.reason;
          return t === undefined ? [] : [t];
        }),
      };
    }
  }
  log?.({
    decisionId: id,
    policySetVersion: outcome.version ?? null,
    inputHash: inputHash ?? null,
    principal: `${input.principal.kind}:${input.principal.id}`,
    action: input.action,
    resource: `${input.resource.type}:${input.resource.id ?? input.resource.orgId}`,
    allowed: outcome.allowed,
    reasons: outcome.reasons,
    errors: outcome.errors,
    obligations: outcome.obligations,
    cached,
    latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
  });
  return outcome;
}
