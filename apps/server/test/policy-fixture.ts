import type { Permission } from '../src/modules/access/index.ts';
import { compileOrgPolicySet, policyEngine } from '../src/modules/access/index.ts';
import type { Principal } from '../src/modules/identity/index.ts';

/**
 * Tests only: a principal with the request facts the auth hook would attach, on a policy set compiled from
 * the given roles (name -> own permissions, optional parent) and org policies, exactly as the app compiles an
 * org's set. Throws when the set does not compile, so a test never runs on a set it did not mean.
 */
export interface FixtureRole {
  readonly permissions: readonly Permission[];
  readonly extends?: string;
}

export function withPolicySet(
  p: Principal,
  opts: {
    roles?: Readonly<Record<string, FixtureRole>>;
    policies?: Readonly<Record<string, string>>;
    timeZone?: string;
    at?: Date;
    ip?: string;
    log?: (entry: Readonly<Record<string, unknown>>) => void;
  } = {},
): Principal {
  const r = compileOrgPolicySet(policyEngine(), {
    orgId: p.orgId,
    timeZone: opts.timeZone ?? 'UTC',
    roles: Object.entries(opts.roles ?? {}).map(([name, role]) => ({
      name,
      extendsName: role.extends ?? null,
      permissions: role.permissions,
    })),
    policies: Object.entries(opts.policies ?? {}).map(([name, text]) => ({ name, text })),
  });
  if (!r.ok) throw new Error(`policy set does not compile: ${JSON.stringify(r.problems)}`);
  return {
    ...p,
    facts: {
      policySet: r.handle,
      at: opts.at ?? new Date(),
      ...(opts.ip === undefined ? {} : { ip: opts.ip }),
      ...(opts.log === undefined ? {} : { logDecision: opts.log }),
    },
  };
}
