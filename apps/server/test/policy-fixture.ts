import type { Permission } from '../src/modules/authz/index.ts';
import type { Principal } from '../src/modules/identity/index.ts';
import { compileOrgPolicySet, createDecisionPoint, type DecisionPoint } from '../src/modules/policy/index.ts';

/**
 * Tests only: an authorizer for a principal, as the auth hook would attach it, on a policy set compiled from
 * the given roles (name -> own permissions, optional parent) and org policies, exactly as the app compiles an
 * org's set. Throws when the set does not compile, so a test never runs on a set it did not mean. All share one
 * decision point per test file unless a test passes its own (to read its counters from a clean start).
 */
export interface FixtureRole {
  readonly permissions: readonly Permission[];
  readonly extends?: string;
}

let shared: DecisionPoint | undefined;
export const fixtureDecisionPoint = (): DecisionPoint => {
  shared ??= createDecisionPoint();
  return shared;
};

/** The policy module's own authorizer: an `Authorizer` its listing filter can read (server-filter.test.ts). */
export type FixtureAuthorizer = ReturnType<DecisionPoint['authorizer']>;

export interface FixtureOptions {
  roles?: Readonly<Record<string, FixtureRole>>;
  policies?: Readonly<Record<string, string>>;
  timeZone?: string;
  at?: Date;
  ip?: string;
  log?: (entry: Readonly<Record<string, unknown>>) => void;
  /** The org whose set it is (default the principal's): another org's set is refused like none. */
  setOrgId?: string;
  decisions?: DecisionPoint;
}

export function withPolicySet(p: Principal, opts: FixtureOptions = {}): FixtureAuthorizer {
  const decisions = opts.decisions ?? fixtureDecisionPoint();
  const r = compileOrgPolicySet(decisions.pdp.engine, {
    orgId: opts.setOrgId ?? p.orgId,
    timeZone: opts.timeZone ?? 'UTC',
    roles: Object.entries(opts.roles ?? {}).map(([name, role]) => ({
      name,
      extendsName: role.extends ?? null,
      permissions: role.permissions,
    })),
    policies: Object.entries(opts.policies ?? {}).map(([name, text]) => ({ name, text })),
  });
  if (!r.ok) throw new Error(`policy set does not compile: ${JSON.stringify(r.problems)}`);
  return decisions.authorizer(p, {
    set: r.handle,
    at: opts.at ?? new Date(),
    ...(opts.ip === undefined ? {} : { ip: opts.ip }),
    ...(opts.log === undefined ? {} : { log: opts.log }),
  });
}

/** An authorizer with no policy set (the org's set did not load): every decision is a deny. */
export function withoutPolicySet(
  p: Principal,
  decisions: DecisionPoint = fixtureDecisionPoint(),
): FixtureAuthorizer {
  return decisions.authorizer(p, { set: undefined, at: new Date() });
}
