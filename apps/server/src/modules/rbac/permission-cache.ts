import type { Permission } from '../authz/index.ts';
import { permissionsOfRoles, type RoleNode } from './role-graph.ts';

/**
 * The per-process cache behind the PermissionResolver, keyed by org: each org's roles (loaded once) and the
 * role ids of each principal seen. A hit costs no database round trip. The resolver drops an org's entry when
 * another process announces a change (LISTEN/NOTIFY) and everything when the channel reconnects; while the
 * channel is down, nothing is cached, so a stale answer can never outlive the notification delay.
 *
 * A load that started before an invalidation is not stored: each org has a version, bumped on invalidation,
 * and a result is kept only if the version is unchanged when it arrives.
 */
export interface Who {
  readonly type: 'user' | 'client';
  readonly id: string;
}

export interface RoleRecord extends RoleNode {
  readonly name: string;
}

export interface Grant {
  /** Names of the roles assigned to the principal. */
  readonly roles: readonly string[];
  readonly permissions: readonly Permission[];
}

export interface AccessLoader {
  loadRoles(orgId: string): Promise<readonly RoleRecord[]>;
  /** The principal's assigned role ids; `active: false` for a user who is disabled or does not exist. */
  loadAssignments(orgId: string, who: Who): Promise<{ active: boolean; roleIds: readonly string[] }>;
}

export interface PermissionCache {
  resolve(orgId: string, who: Who): Promise<Grant>;
  invalidate(orgId: string): void;
  clear(): void;
  /** Caching on (the invalidation channel is up) or off (every resolve loads). Turning it on or off clears. */
  setEnabled(on: boolean): void;
  stats(): { hits: number; loads: number; orgs: number; enabled: boolean };
}

interface OrgEntry {
  roles: Promise<ReadonlyMap<string, RoleRecord>> | undefined;
  principals: Map<string, Grant>;
}

const NOTHING: Grant = Object.freeze({ roles: [], permissions: [] });

export function createPermissionCache(
  loader: AccessLoader,
  limits: { maxOrgs: number; maxPrincipalsPerOrg: number } = { maxOrgs: 10_000, maxPrincipalsPerOrg: 10_000 },
): PermissionCache {
  const orgs = new Map<string, OrgEntry>();
  const versions = new Map<string, number>();
  let epoch = 0;
  let enabled = false;
  let hits = 0;
  let loads = 0;

  const versionOf = (orgId: string) => `${epoch}:${versions.get(orgId) ?? 0}`;
  const clear = () => {
    epoch++;
    versions.clear();
    orgs.clear();
  };

  function entryFor(orgId: string): OrgEntry {
    let e = orgs.get(orgId);
    if (e === undefined) {
      if (orgs.size >= limits.maxOrgs) orgs.delete(orgs.keys().next().value as string);
      e = { roles: undefined, principals: new Map() };
      orgs.set(orgId, e);
    }
    return e;
  }

  function remember(orgId: string, version: string, key: string, grant: Grant): Grant {
    if (enabled && versionOf(orgId) === version) {
      const e = entryFor(orgId);
      if (e.principals.size >= limits.maxPrincipalsPerOrg) {
        e.principals.delete(e.principals.keys().next().value as string);
      }
      e.principals.set(key, grant);
    }
    return grant;
  }

  async function loadRoles(orgId: string) {
    loads++;
    const list = await loader.loadRoles(orgId);
    return new Map(list.map((r) => [r.id, r]));
  }

  return {
    async resolve(orgId, who) {
      const key = `${who.type}:${who.id}`;
      if (enabled) {
        const hit = orgs.get(orgId)?.principals.get(key);
        if (hit !== undefined) {
          hits++;
          return hit;
        }
      }
      const version = versionOf(orgId);
      loads++;
      const assigned = await loader.loadAssignments(orgId, who);
      if (!assigned.active) return remember(orgId, version, key, NOTHING);
      let rolesPromise: Promise<ReadonlyMap<string, RoleRecord>>;
      const cachedEntry = enabled ? orgs.get(orgId) : undefined;
      if (cachedEntry?.roles !== undefined) {
        rolesPromise = cachedEntry.roles;
      } else {
        rolesPromise = loadRoles(orgId);
        if (enabled && versionOf(orgId) === version) {
          const e = entryFor(orgId);
          e.roles = rolesPromise;
          rolesPromise.catch(() => {
            if (e.roles === rolesPromise) e.roles = undefined;
          });
        }
      }
      const roles = await rolesPromise;
      const grant: Grant = Object.freeze({
        roles: assigned.roleIds.flatMap((id) => {
          const r = roles.get(id);
          return r === undefined ? [] : [r.name];
        }),
        permissions: permissionsOfRoles(roles, assigned.roleIds),
      });
      return remember(orgId, version, key, grant);
    },
    invalidate(orgId) {
      versions.set(orgId, (versions.get(orgId) ?? 0) + 1);
      orgs.delete(orgId);
    },
    clear,
    setEnabled(on) {
      enabled = on;
      clear();
    },
    stats: () => ({ hits, loads, orgs: orgs.size, enabled }),
  };
}
