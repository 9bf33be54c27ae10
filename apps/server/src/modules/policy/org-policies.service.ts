import type {
  CreatePolicyInput,
  EffectivePolicySet,
  ListPoliciesFilter,
  Policy,
  PolicyVersion,
  UpdatePolicyInput,
} from '@sprintconnect/contracts';
import type { Clock } from '../../kernel/index.ts';
import { keysetPage, readKeyset, uuidv7 } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { PolicyEngine } from '../../platform/policy/index.ts';
import type { Principal } from '../identity/index.ts';
import { assertRecentSignIn } from '../identity/index.ts';
import { lockOrgAccess } from '../rbac/index.ts';
import * as repo from './org-policies.repo.ts';
import { type CandidatePolicy, checkOrgPolicies, type ObligationVocabulary } from './org-policy-check.ts';
import { policyInvalid, policyNameTaken, policyNotFound, policyVersionNotFound } from './policy.errors.ts';
import { loadedPolicySetText, orgPolicyId, policySetVersion } from './policy-set.ts';
import { policySourceIn } from './policy-set-cache.ts';
import { snapshotVersion, toVersionView } from './policy-versions.ts';

/**
 * Org policies (issue 4, point 2): Cedar text an org adds to its set. Every change is validated with the
 * whole set (nothing that would not load is ever saved: a set that does not load denies everything), writes
 * a numbered version of the org's policies, is audited, and is announced so that every process reloads the
 * set within a second.
 */
const toView = (r: repo.PolicyRow): Policy => ({
  id: r.id,
  name: r.name,
  policyId: orgPolicyId(r.name),
  description: r.description,
  policy: r.body,
  enabled: r.enabled,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  links: { self: `/v1/policies/${r.id}` },
});

const SOURCE_OF = { system: 'system/', role: 'role/', org: 'org/' } as const;

export function createOrgPoliciesService(deps: {
  db: Db;
  clock: Clock;
  engine: PolicyEngine;
  vocabulary: ObligationVocabulary;
  /** After a commit that changed the org's set: drop this process's cached set now. */
  onChanged: (orgId: string) => void;
}) {
  const { db, clock } = deps;

  async function check(tx: Tx, orgId: string, rows: repo.PolicyRow[], changed: CandidatePolicy[]) {
    const problems = checkOrgPolicies(
      deps.engine,
      await policySourceIn(tx, orgId, rows),
      changed,
      deps.vocabulary,
    );
    if (problems.length > 0) throw policyInvalid(problems);
  }

  async function write<T>(p: Principal, fn: (tx: Tx) => Promise<T>, name?: string): Promise<T> {
    assertRecentSignIn(p, clock.now());
    try {
      const out = await withTenant(db, p.orgId, async (tx) => {
        await lockOrgAccess(tx, p.orgId);
        return fn(tx);
      });
      deps.onChanged(p.orgId);
      return out;
    } catch (e) {
      if (repo.isPolicyNameConflict(e)) throw policyNameTaken(name ?? '');
      throw e;
    }
  }

  return {
    async list(p: Principal, f: ListPoliciesFilter): Promise<{ items: Policy[]; nextCursor: string | null }> {
      const limit = f.limit ?? 50;
      const after = readKeyset(repo.POLICY_ORDER, f.cursor);
      const rows = await withTenant(db, p.orgId, (tx) =>
        repo.listPoliciesPage(tx, p.orgId, { limit, after }),
      );
      const page = keysetPage(repo.POLICY_ORDER, rows, limit);
      return { items: page.items.map(toView), nextCursor: page.nextCursor };
    },

    async get(p: Principal, id: string): Promise<Policy> {
      const row = await withTenant(db, p.orgId, (tx) => repo.findPolicy(tx, p.orgId, id));
      if (row === undefined) throw policyNotFound(id);
      return toView(row);
    },

    create(p: Principal, requestId: string | undefined, input: CreatePolicyInput): Promise<Policy> {
      return write(
        p,
        async (tx) => {
          const rows = await repo.listAllPolicies(tx, p.orgId);
          if (rows.some((r) => r.name === input.name)) throw policyNameTaken(input.name);
          await check(tx, p.orgId, rows, [{ name: input.name, text: input.policy, pointer: '/policy' }]);
          const now = clock.now();
          const row = {
            org_id: p.orgId,
            id: uuidv7(),
            name: input.name,
            description: input.description ?? '',
            body: input.policy,
            enabled: input.enabled ?? true,
            created_at: now,
            updated_at: now,
          };
          await repo.insertPolicy(tx, row);
          await snapshotVersion(tx, clock, p, requestId, 'policy.created', row);
          return toView(row);
        },
        input.name,
      );
    },

    update(
      p: Principal,
      requestId: string | undefined,
      id: string,
      input: UpdatePolicyInput,
    ): Promise<Policy> {
      return write(
        p,
        async (tx) => {
          const rows = await repo.listAllPolicies(tx, p.orgId);
          const row = rows.find((r) => r.id === id);
          if (row === undefined) throw policyNotFound(id);
          const name = input.name ?? row.name;
          if (name !== row.name && rows.some((r) => r.name === name)) throw policyNameTaken(name);
          const next = {
            name,
            description: input.description ?? row.description,
            body: input.policy ?? row.body,
            enabled: input.enabled ?? row.enabled,
            updated_at: clock.now(),
          };
          const others = rows.filter((r) => r.id !== id);
          await check(tx, p.orgId, others, [{ name, text: next.body, pointer: '/policy' }]);
          await repo.updatePolicy(tx, p.orgId, id, next);
          await snapshotVersion(tx, clock, p, requestId, 'policy.updated', { id, name });
          return toView({ ...row, ...next });
        },
        input.name,
      );
    },

    remove(p: Principal, requestId: string | undefined, id: string): Promise<void> {
      return write(p, async (tx) => {
        const row = await repo.findPolicy(tx, p.orgId, id);
        if (row === undefined) throw policyNotFound(id);
        await repo.deletePolicy(tx, p.orgId, id);
        await snapshotVersion(tx, clock, p, requestId, 'policy.deleted', row);
      });
    },

    async effective(p: Principal): Promise<EffectivePolicySet> {
      return withTenant(db, p.orgId, async (tx) => {
        const source = await policySourceIn(tx, p.orgId, await repo.listAllPolicies(tx, p.orgId));
        const text = loadedPolicySetText(source);
        const sourceOf = (id: string) =>
          (Object.keys(SOURCE_OF) as (keyof typeof SOURCE_OF)[]).find((k) => id.startsWith(SOURCE_OF[k])) ??
          'org';
        return {
          version: policySetVersion(text),
          orgVersion: await repo.latestVersionNumber(tx, p.orgId),
          timeZone: source.timeZone,
          policies: Object.entries(text).map(([id, policy]) => ({ id, source: sourceOf(id), policy })),
        };
      });
    },

    async versions(
      p: Principal,
      f: ListPoliciesFilter,
    ): Promise<{ items: PolicyVersion[]; nextCursor: string | null }> {
      const limit = f.limit ?? 50;
      const after = readKeyset(repo.POLICY_VERSION_ORDER, f.cursor);
      const rows = await withTenant(db, p.orgId, (tx) => repo.listVersions(tx, p.orgId, { limit, after }));
      const page = keysetPage(repo.POLICY_VERSION_ORDER, rows, limit);
      return { items: page.items.map(toVersionView), nextCursor: page.nextCursor };
    },

    /** Writes version `n`'s policies back, as a new version (the history only grows). */
    restore(p: Principal, requestId: string | undefined, n: number): Promise<PolicyVersion> {
      return write(p, async (tx) => {
        const v = await repo.findVersion(tx, p.orgId, n);
        if (v === undefined) throw policyVersionNotFound(n);
        const rows = await repo.listAllPolicies(tx, p.orgId);
        // Roles may have changed since: the restored set must still load with today's roles.
        await check(
          tx,
          p.orgId,
          [],
          v.policies
            .filter((x) => x.enabled)
            .map((x, i) => ({ name: x.name, text: x.policy, pointer: `/policies/${i}/policy` })),
        );
        await repo.deleteAllPolicies(tx, p.orgId);
        const now = clock.now();
        for (const x of v.policies) {
          const was = rows.find((r) => r.id === x.id);
          await repo.insertPolicy(tx, {
            org_id: p.orgId,
            id: x.id,
            name: x.name,
            description: x.description,
            body: x.policy,
            enabled: x.enabled,
            created_at: was?.created_at ?? now,
            updated_at: now,
          });
        }
        const version = await snapshotVersion(
          tx,
          clock,
          p,
          requestId,
          'policy.restored',
          { type: 'policy_set', id: p.orgId, name: `version ${n}` },
          n,
        );
        return toVersionView((await repo.findVersion(tx, p.orgId, version))!);
      });
    },
  };
}

export type OrgPoliciesService = ReturnType<typeof createOrgPoliciesService>;
