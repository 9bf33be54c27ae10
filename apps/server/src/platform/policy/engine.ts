import type {
  AuthorizationAnswer,
  CedarValueJson,
  DetailedError,
  EntityJson,
  PartialAuthorizationAnswer,
  ResidualResponse,
} from '@cedar-policy/cedar-wasm/nodejs';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { lineColumnAt } from './source-lines.ts';

/**
 * The Cedar wrapper: the one place that talks to `@cedar-policy/cedar-wasm`. Fail closed by construction:
 * every request is validated against the schema, and any error (no such policy set, a request the schema
 * refuses, an evaluation error in a policy) is a deny carrying the error as its reason.
 *
 * Policy sets are parsed once and kept inside the wasm instance under an id (`load`); a later `load` under the
 * same id replaces the set, so memory stays bounded by the number of ids in use (one per org).
 */
export type CedarEntityUid = { readonly type: string; readonly id: string };
export type CedarEntity = EntityJson;
export type CedarContext = Record<string, CedarValueJson>;
export type { CedarValueJson };

export interface PolicyProblem {
  /** The policy the problem is in, when the policy set was given as named policies. */
  readonly policyId?: string;
  readonly message: string;
  readonly help?: string;
  readonly line?: number;
  readonly column?: number;
}

export interface CedarRequest {
  readonly principal: CedarEntityUid;
  readonly action: CedarEntityUid;
  readonly resource: CedarEntityUid;
  readonly context: CedarContext;
  readonly entities: readonly CedarEntity[];
}

export interface CedarDecision {
  readonly allowed: boolean;
  /** The ids of the policies that determined the decision (the permits for an allow, the forbids for a deny). */
  readonly reasons: readonly string[];
  /** Evaluation or request errors; any error makes the decision a deny. */
  readonly errors: readonly string[];
}

export interface PolicyEngine {
  readonly schemaText: string;
  /** Parse and validate named policies against the schema; empty means valid. Nothing is loaded. */
  check(policies: Readonly<Record<string, string>>): PolicyProblem[];
  /** Parse and keep a policy set under `id` (replacing any earlier one). Problems mean nothing changed. */
  load(id: string, policies: Readonly<Record<string, string>>): PolicyProblem[];
  /** Each policy's annotations (`@name("value")`), by policy id; policies that do not parse are left out. */
  annotations(policies: Readonly<Record<string, string>>): Record<string, Record<string, string>>;
  /** Replace a set with the empty set (which allows nothing) and forget its text. */
  unload(id: string): void;
  decide(setId: string, req: CedarRequest): CedarDecision;
  /**
   * Stateless: decide on the given policies without loading them (dry runs with a candidate policy). The
   * policies are checked like `load` would; problems make the decision a deny.
   */
  decideWith(policies: Readonly<Record<string, string>>, req: CedarRequest): CedarDecision;
  /** Partial evaluation with the resource unknown: which policies could still decide, with their residuals. */
  residuals(setId: string, req: Omit<CedarRequest, 'resource'>): ResidualResponse | { error: string };
}

const errorText = (errors: readonly DetailedError[]): string[] => errors.map((e) => e.message);

/** Problems with line numbers: Cedar reports character offsets into the text of the policy they are in. */
function problemsOf(
  errors: readonly DetailedError[],
  policies: Readonly<Record<string, string>>,
  policyId?: string,
): PolicyProblem[] {
  return errors.map((e) => {
    const at = e.sourceLocations?.[0];
    const text = policyId === undefined ? undefined : policies[policyId];
    const pos = at !== undefined && text !== undefined ? lineColumnAt(text, at.start) : undefined;
    return {
      ...(policyId === undefined ? {} : { policyId }),
      message: e.message,
      ...(e.help ? { help: e.help } : {}),
      ...(pos === undefined ? {} : { line: pos.line, column: pos.column }),
    };
  });
}

/** Parse each policy on its own so that every problem names its policy and line. */
function parseProblems(policies: Readonly<Record<string, string>>): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  for (const [id, text] of Object.entries(policies)) {
    const parts = cedar.policySetTextToParts(text);
    if (parts.type === 'failure') {
      out.push(...problemsOf(parts.errors, policies, id));
      continue;
    }
    if (parts.policy_templates.length > 0) {
      out.push({
        policyId: id,
        message: 'templates (policies with ?principal or ?resource slots) are not supported',
      });
    }
    if (parts.policies.length !== 1) {
      out.push({
        policyId: id,
        message: `expected exactly one policy, found ${parts.policies.length}`,
        line: 1,
        column: 1,
      });
    }
  }
  return out;
}

/** One call into the wasm, read fail closed: a throw, a failure answer or any policy error is a deny. */
function answerOf(call: () => AuthorizationAnswer): CedarDecision {
  let answer: AuthorizationAnswer;
  try {
    answer = call();
  } catch (e) {
    return { allowed: false, reasons: [], errors: [`policy engine failure: ${(e as Error).message}`] };
  }
  if (answer.type === 'failure') return { allowed: false, reasons: [], errors: errorText(answer.errors) };
  const { decision, diagnostics } = answer.response;
  const errors = diagnostics.errors.map((e) => `${e.policyId}: ${e.error.message}`);
  // An evaluation error in any policy is a deny, even when other policies permitted.
  return { allowed: decision === 'allow' && errors.length === 0, reasons: diagnostics.reason, errors };
}

export function createPolicyEngine(opts: { schemaName: string; schema: string }): PolicyEngine {
  const parsed = cedar.preparseSchema(opts.schemaName, opts.schema);
  if (parsed.type === 'failure') {
    throw new Error(`the Cedar schema does not parse: ${errorText(parsed.errors).join('; ')}`);
  }

  function check(policies: Readonly<Record<string, string>>): PolicyProblem[] {
    const parse = parseProblems(policies);
    if (parse.length > 0) return parse;
    const v = cedar.validate({
      schema: opts.schema,
      policies: { staticPolicies: { ...policies } },
      validationSettings: { mode: 'strict' },
    });
    if (v.type === 'failure') return problemsOf(v.errors, policies);
    return v.validationErrors.flatMap((e) => problemsOf([e.error], policies, e.policyId));
  }

  // The text of each loaded set, for partial evaluation (which the wasm build offers only stateless).
  const loaded = new Map<string, Readonly<Record<string, string>>>();

  return {
    schemaText: opts.schema,
    check,
    load(id, policies) {
      const problems = check(policies);
      if (problems.length > 0) return problems;
      const r = cedar.preparsePolicySet(id, { staticPolicies: { ...policies } });
      if (r.type === 'failure') return problemsOf(r.errors, policies);
      loaded.set(id, policies);
      return [];
    },
    unload(id) {
      cedar.preparsePolicySet(id, { staticPolicies: {} });
      loaded.delete(id);
    },
    annotations(policies) {
      const out: Record<string, Record<string, string>> = {};
      for (const [id, text] of Object.entries(policies)) {
        const j = cedar.policyToJson(text);
        if (j.type === 'success') out[id] = { ...(j.json.annotations ?? {}) } as Record<string, string>;
      }
      return out;
    },
    decide(setId, req) {
      return answerOf(() =>
        cedar.statefulIsAuthorized({
          principal: req.principal,
          action: req.action,
          resource: req.resource,
          context: req.context,
          entities: req.entities as EntityJson[],
          preparsedSchemaName: opts.schemaName,
          preparsedPolicySetId: setId,
          validateRequest: true,
        }),
      );
    },
    decideWith(policies, req) {
      const problems = check(policies);
      if (problems.length > 0) {
        return {
          allowed: false,
          reasons: [],
          errors: problems.map((p) => `${p.policyId ?? 'policy set'}: ${p.message}`),
        };
      }
      return answerOf(() =>
        cedar.isAuthorized({
          principal: req.principal,
          action: req.action,
          resource: req.resource,
          context: req.context,
          entities: req.entities as EntityJson[],
          schema: opts.schema,
          validateRequest: true,
          policies: { staticPolicies: { ...policies } },
        }),
      );
    },
    residuals(setId, req) {
      const policies = loaded.get(setId);
      if (policies === undefined) return { error: `no policy set ${setId} is loaded` };
      let answer: PartialAuthorizationAnswer;
      try {
        answer = cedar.isAuthorizedPartial({
          principal: req.principal,
          action: req.action,
          resource: null,
          context: req.context,
          entities: req.entities as EntityJson[],
          schema: opts.schema,
          validateRequest: true,
          policies: { staticPolicies: { ...policies } },
        });
      } catch (e) {
        return { error: (e as Error).message };
      }
      return answer.type === 'failure' ? { error: errorText(answer.errors).join('; ') } : answer.response;
    },
  };
}
