import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { PolicyEngine } from '../../platform/policy/index.ts';
import { listAllRoles } from '../rbac/index.ts';
import { orgTimeZone } from '../tenancy/index.ts';
import { listEnabledPolicies } from './policies.repo.ts';
import { type CompileResult, compileOrgPolicySet, type OrgPolicySource } from './policy-set.ts';

/**
 * Each org's compiled policy set, per process: loaded and compiled on first use, reused with no database
 * round trip, dropped when the org's roles or policies change (the permission resolver's LISTEN/NOTIFY
 * invalidation calls `invalidate`). A load that started before an invalidation is not kept.
 */
export interface PolicySetCache {
  get(orgId: string): Promise<CompileResult>;
  invalidate(orgId: string): void;
  clear(): void;
  setEnabled(on: boolean): void;
}

/** An org's policy source from its role rows, its policy rows (only enabled ones count) and its time zone. */
export async function policySourceIn(
  tx: Tx,
  orgId: string,
  rows: readonly { name: string; body: string; enabled: boolean }[],
): Promise<OrgPolicySource> {
  const [roles, timeZone] = await Promise.all([listAllRoles(tx, orgId), orgTimeZone(tx, orgId)]);
  const nameOf = new Map(roles.map((r) => [r.id, r.name]));
  return {
    orgId,
    timeZone,
    roles: roles.map((r) => ({
      name: r.name,
      extendsName: r.extends_role_id === null ? null : (nameOf.get(r.extends_role_id) ?? null),
      permissions: r.permissions,
    })),
    policies: rows.filter((r) => r.enabled).map((r) => ({ name: r.name, text: r.body })),
  };
}

export async function loadPolicySource(db: Db, orgId: string): Promise<OrgPolicySource> {
  return withTenant(db, orgId, async (tx) => policySourceIn(tx, orgId, await listEnabledPolicies(tx, orgId)));
}

export function createPolicySetCache(db: Db, engine: PolicyEngine, maxOrgs = 10_000): PolicySetCache {
  const sets = new Map<string, Promise<CompileResult>>();
  // The set id each org last compiled to: a replaced set is unloaded from the engine a little later, once
  // requests that started on it are done, so the engine holds at most about one set per org.
  const current = new Map<string, string>();
  let enabled = false;

  function track(orgId: string, r: CompileResult): void {
    if (!r.ok) return;
    const before = current.get(orgId);
    current.set(orgId, r.handle.setId);
    if (before !== undefined && before !== r.handle.setId) {
      setTimeout(() => {
        if (current.get(orgId) !== before) engine.unload(before);
      }, 10_000).unref();
    }
  }

  return {
    get(orgId) {
      const hit = enabled ? sets.get(orgId) : undefined;
      if (hit !== undefined) return hit;
      const p = loadPolicySource(db, orgId).then((src) => {
        const r = compileOrgPolicySet(engine, src);
        track(orgId, r);
        return r;
      });
      if (enabled) {
        if (sets.size >= maxOrgs) sets.delete(sets.keys().next().value as string);
        sets.set(orgId, p);
        p.then(
          (r) => {
            // Problems are not cached: the next request tries again (and is denied meanwhile).
            if (!r.ok && sets.get(orgId) === p) sets.delete(orgId);
          },
          () => {
            if (sets.get(orgId) === p) sets.delete(orgId);
          },
        );
      }
      return p;
    },
    invalidate(orgId) {
      // An in-flight load is dropped with the entry: later requests start a fresh one.
      sets.delete(orgId);
    },
    clear() {
      sets.clear();
    },
    setEnabled(on) {
      enabled = on;
      sets.clear();
    },
  };
}
