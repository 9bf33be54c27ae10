import { randomUUID } from 'node:crypto';
import type { DryRunInput, DryRunResult } from '@sprintconnect/contracts';
import { AppError } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import type { Authorizer, Resource } from '../authz/index.ts';
import { isPermission, PERMISSIONS, type Permission } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import type { Grant, Who } from '../rbac/index.ts';
import { RequestAuthorizer, scopeGrants, tokenScoped } from './authorizer.ts';
import { checkOrgPolicies, type ObligationVocabulary } from './org-policy-check.ts';
import { obligationsOf, type Pdp } from './pdp.ts';
import { policyInvalid } from './policies.errors.ts';
import { orgPolicyId, type PolicySetHandle, policySetText, policySetVersion } from './policy-set.ts';
import { loadPolicySource } from './policy-set-cache.ts';

/**
 * `POST /v1/policies/dry-run`: would this principal be allowed this action on this resource, and why, on the
 * org's current set or with a candidate policy added. Evaluated statelessly: the candidate is never loaded
 * into the set live requests run on.
 */
export interface DryRunDeps {
  readonly db: Db;
  readonly pdp: Pdp;
  readonly vocabulary: ObligationVocabulary;
  /** The roles of a user or client of the org (the permission resolver). */
  readonly resolve: (orgId: string, who: Who) => Promise<Grant>;
  /** The scopes of an API key of the caller's org (404 when there is none). */
  readonly apiKeyScopes: (caller: Principal, id: string) => Promise<readonly string[]>;
  /** A server's attributes, for a server named only by id (404 when there is none). */
  readonly serverAttributes: (caller: Principal, id: string) => Promise<NonNullable<Resource['server']>>;
}

const CANDIDATE_NAME = 'candidate';

async function subjectOf(deps: DryRunDeps, caller: Principal, input: DryRunInput): Promise<Principal> {
  const who = input.principal;
  if (who === undefined) return caller;
  const base = { id: who.id, orgId: caller.orgId, name: who.id };
  if (who.kind === 'api_key') {
    const scopes = await deps.apiKeyScopes(caller, who.id);
    return { ...base, kind: 'api_key', scopes, roles: [], authMethod: 'api_key' };
  }
  const grant = await deps.resolve(caller.orgId, { type: who.kind, id: who.id });
  return {
    ...base,
    kind: who.kind,
    scopes: [],
    roles: grant.roles,
    permissions: grant.permissions,
    authMethod: who.kind === 'user' ? 'session' : 'bearer_jwt',
  };
}

async function resourceOf(deps: DryRunDeps, caller: Principal, input: DryRunInput): Promise<Resource> {
  const r = input.resource;
  const ref: Resource = {
    type: r.type,
    orgId: caller.orgId,
    ...(r.id === undefined ? {} : { id: r.id }),
    ...(r.server === undefined ? {} : { server: r.server }),
    ...(r.capability === undefined ? {} : { capability: r.capability }),
  };
  if (r.type === 'server' && r.id !== undefined && r.server === undefined) {
    return { ...ref, server: await deps.serverAttributes(caller, r.id) };
  }
  return ref;
}

function detailOf(
  allowed: boolean,
  reasons: readonly string[],
  texts: readonly string[],
  errors: readonly string[],
): string {
  if (errors.length > 0)
    return `the policy decision point could not decide (${errors.join('; ')}), so access is denied`;
  if (allowed) return `allowed by ${reasons.join(', ')}`;
  if (reasons.length > 0)
    return texts.length > 0 ? texts.join('; ') : `denied by the policy ${reasons.join(', ')}`;
  return 'no policy permits this action (nothing is allowed unless a policy permits it)';
}

export async function dryRun(deps: DryRunDeps, authz: Authorizer, input: DryRunInput): Promise<DryRunResult> {
  const caller = authz.principal;
  // The request's own time and decision log (the authorizer this module made for the request).
  const facts = authz instanceof RequestAuthorizer ? authz.facts : undefined;
  const at = facts?.at ?? new Date();
  if (!isPermission(input.action)) {
    throw new AppError('validation_failed', `Unknown action ${input.action}; see docs/permissions.md.`, {
      errors: [{ pointer: '/action', detail: 'unknown action' }],
    });
  }
  const action = input.action;
  const engine = deps.pdp.engine;
  const source = await loadPolicySource(deps.db, caller.orgId);
  const candidate = input.policy;
  const candidateName = input.name ?? CANDIDATE_NAME;
  if (candidate !== undefined) {
    const problems = checkOrgPolicies(
      engine,
      source,
      [{ name: candidateName, text: candidate, pointer: '/policy' }],
      deps.vocabulary,
    );
    if (problems.length > 0) throw policyInvalid(problems);
  }
  const policies = policySetText(source);
  // A candidate named like an existing policy replaces it: "what if I changed this policy".
  if (candidate !== undefined) policies[orgPolicyId(candidateName)] = candidate;
  const set: PolicySetHandle = {
    setId: 'dry-run',
    version: policySetVersion(policies),
    orgId: caller.orgId,
    timeZone: source.timeZone,
    roleParents: new Map(source.roles.map((r) => [r.name, r.extendsName])),
    annotations: engine.annotations(policies),
    policies,
  };
  const subject = await subjectOf(deps, caller, input);
  const resource = await resourceOf(deps, caller, input);
  // A client named by id is judged by its roles: which token scopes it would carry is not known here.
  const scoped = input.principal === undefined && tokenScoped(subject);
  const evaluate = (a: Permission, r: Resource, productionAccess?: boolean) =>
    engine.decideWith(
      policies,
      deps.pdp.request(
        {
          principal: subject,
          at,
          // The caller asking about itself is decided as its own requests are (from its address).
          ip: input.principal === undefined ? facts?.ip : undefined,
          action: a,
          resource: r,
          scopeGranted: subject.scopes.some((s) => scopeGrants(s, a)),
          tokenScoped: scoped,
          ...(productionAccess === undefined ? {} : { productionAccess }),
        },
        set,
      ),
    );
  // As the authorizer does: a production resource is decided with the set's own answer to servers:production.
  const production =
    resource.server?.environment === 'production'
      ? evaluate('servers:production', { type: 'org', orgId: caller.orgId }).allowed
      : undefined;
  const d = evaluate(action, resource, production);
  const texts = d.reasons.flatMap((r) => {
    const t = set.annotations[r]?.reason;
    return t === undefined ? [] : [t];
  });
  const obligations = d.allowed ? obligationsOf(set, d.reasons) : { redact: [] };
  const decisionId = randomUUID();
  facts?.log?.({
    decisionId,
    dryRun: true,
    policySetVersion: set.version,
    action,
    allowed: d.allowed,
    reasons: d.reasons,
    errors: d.errors,
  });
  const need = PERMISSIONS[action].scope;
  const scopeHint =
    !d.allowed && d.reasons.length === 0 && subject.kind === 'api_key'
      ? ` (an API key needs the scope ${need.type}:${need.level} or ${need.level})`
      : '';
  return {
    allowed: d.allowed,
    decisionId,
    version: set.version,
    candidate: candidate !== undefined,
    determiningPolicies: [...d.reasons],
    reasons: texts,
    detail: detailOf(d.allowed, d.reasons, texts, d.errors) + scopeHint,
    errors: [...d.errors],
    obligations: { redact: [...obligations.redact], throttle: obligations.throttle ?? null },
  };
}
