import { createHash } from 'node:crypto';
import type { PolicyEngine, PolicyProblem } from '../../platform/policy/index.ts';
import { withOwnerRail } from './owner-rail.ts';
import { type RoleSource, rolePolicies } from './role-policies.ts';
import { SYSTEM_POLICIES } from './system-policies.ts';

/**
 * One org's policy set: the system policies, one policy per role, and the org's own policies, loaded into the
 * engine under one id per org. The version is a hash of the whole text, so a decision log names exactly the
 * set that decided; the handle also carries what a decision needs besides the policies (the role tree and the
 * org's time zone) and the obligations each policy attaches (`@obligation_*` annotations).
 */
export interface OrgPolicy {
  readonly name: string;
  readonly text: string;
}

export interface OrgPolicySource {
  readonly orgId: string;
  readonly timeZone: string;
  readonly roles: readonly RoleSource[];
  readonly policies: readonly OrgPolicy[];
}

export interface PolicySetHandle {
  readonly setId: string;
  readonly version: string;
  readonly orgId: string;
  readonly timeZone: string;
  /** Role name -> the role it extends. */
  readonly roleParents: ReadonlyMap<string, string | null>;
  /** Policy id -> its annotations. */
  readonly annotations: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Policy id -> text, everything the set holds (for `GET /v1/policies/effective` and dry runs). */
  readonly policies: Readonly<Record<string, string>>;
}

export const orgPolicyId = (name: string): string => `org/${name}`;
/** The version is part of the id, so a decision always runs on exactly the set its log line names. */
export const policySetIdOf = (orgId: string, version: string): string => `org:${orgId}:${version}`;

export function policySetText(source: OrgPolicySource): Record<string, string> {
  const own: Record<string, string> = {};
  for (const p of source.policies) own[orgPolicyId(p.name)] = p.text;
  return { ...SYSTEM_POLICIES, ...rolePolicies(source.roles), ...own };
}

/** The set as it is loaded: the org's forbids carry the owners' rail (owner-rail.ts); validated as written. */
export function loadedPolicySetText(source: OrgPolicySource): Record<string, string> {
  return policySetText({
    ...source,
    policies: source.policies.map((p) => ({ ...p, text: withOwnerRail(p.text) })),
  });
}

export function policySetVersion(policies: Readonly<Record<string, string>>): string {
  const h = createHash('sha256');
  for (const id of Object.keys(policies).sort())
    h.update(id)
      .update('\0')
      .update(policies[id] ?? '')
      .update('\0');
  return h.digest('hex').slice(0, 16);
}

export type CompileResult =
  /** `problems` set: the org's own policies did not compile and the set is in safe mode. */
  | { readonly ok: true; readonly handle: PolicySetHandle; readonly problems?: readonly PolicyProblem[] }
  | { readonly ok: false; readonly problems: readonly PolicyProblem[] };

/**
 * When the org's own policies no longer compile (the schema changed under them), the org runs in safe mode:
 * everything is forbidden except reading and fixing policies, so admins are not locked out and no rule of the
 * org is silently dropped.
 */
export const SAFE_MODE_POLICY_ID = 'system/org-policies-invalid';
const SAFE_MODE_POLICY = `@reason("the organization's policies do not validate against the schema; only policy reads and changes are allowed until they are fixed")
forbid (principal, action, resource)
unless { action in [SprintConnect::Action::"policies:read", SprintConnect::Action::"policies:write"] };`;

/** Validate and load the org's set; on problems nothing is loaded and the caller must deny (fail closed). */
export function compileOrgPolicySet(engine: PolicyEngine, source: OrgPolicySource): CompileResult {
  const first = compileExactly(engine, source);
  if (first.ok || source.policies.length === 0) return first;
  const safe = compileExactly(engine, {
    ...source,
    policies: [],
    extra: { [SAFE_MODE_POLICY_ID]: SAFE_MODE_POLICY },
  });
  return safe.ok ? { ...safe, problems: first.problems } : first;
}

function compileExactly(
  engine: PolicyEngine,
  source: OrgPolicySource & { extra?: Readonly<Record<string, string>> },
): CompileResult {
  const policies = { ...loadedPolicySetText(source), ...source.extra };
  const version = policySetVersion(policies);
  const setId = policySetIdOf(source.orgId, version);
  const problems = engine.load(setId, policies);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    handle: Object.freeze({
      setId,
      version,
      orgId: source.orgId,
      timeZone: source.timeZone,
      roleParents: new Map(source.roles.map((r) => [r.name, r.extendsName])),
      annotations: engine.annotations(policies),
      policies,
    }),
  };
}
