import { isUuid } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { listen, notify, withTenant } from '../../platform/db/index.ts';
import type { Authenticator, AuthRequest, Principal } from '../identity/index.ts';
import { roleIdsOf } from './assignments.repo.ts';
import { type AccessLoader, createPermissionCache, type Grant, type Who } from './permission-cache.ts';
import type { CompileResult } from './policy-set.ts';
import { createPolicySetCache, type PolicySetCache } from './policy-set-cache.ts';
import { listAllRoles } from './roles.repo.ts';
import { findUserStatus } from './users.repo.ts';

/** The LISTEN/NOTIFY channel on which a process announces that an org's roles or assignments changed. */
export const ACCESS_CHANNEL = 'sc_access_changed';

/**
 * Call inside the transaction that changes roles, role assignments or whether a user is active: at commit,
 * every process drops its cached permissions for the org, so the change applies within a second everywhere,
 * without a new sign-in (story 1.3).
 */
export const announceAccessChange = (tx: Tx, orgId: string): Promise<void> =>
  notify(tx, ACCESS_CHANNEL, orgId);

export interface PermissionResolver {
  resolve(orgId: string, who: Who): Promise<Grant>;
  /**
   * Users and clients get their roles and permissions from the assignments; every principal gets the request's
   * facts for policy decisions (the org's policy set, address, time, decision log).
   */
  attach(principal: Principal, req?: AuthRequest, now?: Date): Promise<Principal>;
  /** The org's compiled policy set (cached like permissions; problems mean every decision is a deny). */
  policySet(orgId: string): Promise<CompileResult>;
  /** Drop this process's cache for the org now (the notification will also arrive). */
  invalidate(orgId: string): void;
  stats(): { hits: number; loads: number; orgs: number; enabled: boolean; listening: boolean };
  close(): Promise<void>;
}

function dbLoader(db: Db): AccessLoader {
  return {
    loadRoles: (orgId) =>
      withTenant(db, orgId, async (tx) =>
        (await listAllRoles(tx, orgId)).map((r) => ({
          id: r.id,
          name: r.name,
          extendsId: r.extends_role_id,
          permissions: r.permissions,
        })),
      ),
    loadAssignments: (orgId, who) =>
      withTenant(db, orgId, async (tx) => {
        if (who.type === 'user') {
          // A user id that is not a UUID cannot exist; asking Postgres would be a cast error.
          if (!isUuid(who.id) || (await findUserStatus(tx, orgId, who.id)) !== 'active') {
            return { active: false, roleIds: [] };
          }
        }
        return { active: true, roleIds: await roleIdsOf(tx, orgId, who.type, who.id) };
      }),
  };
}

export function createPermissionResolver(deps: {
  db: Db;
  /** Connection string for the dedicated LISTEN connection (the runtime role is enough). */
  listenUrl: string;
}): PermissionResolver {
  const cache = createPermissionCache(dbLoader(deps.db));
  const sets: PolicySetCache = createPolicySetCache(deps.db);
  const listener = listen({
    connectionString: deps.listenUrl,
    channel: ACCESS_CHANNEL,
    onMessage: (orgId) => {
      if (isUuid(orgId)) {
        cache.invalidate(orgId);
        sets.invalidate(orgId);
      } else {
        cache.clear();
        sets.clear();
      }
    },
    // Messages sent while disconnected are lost: start from nothing on every connection.
    onConnected: () => {
      cache.setEnabled(true);
      sets.setEnabled(true);
    },
    onDisconnected: () => {
      cache.setEnabled(false);
      sets.setEnabled(false);
    },
  });

  return {
    resolve: (orgId, who) => cache.resolve(orgId, who),
    async attach(principal, req, now) {
      const [grant, set] = await Promise.all([
        principal.kind === 'user' || principal.kind === 'client'
          ? cache.resolve(principal.orgId, { type: principal.kind, id: principal.id })
          : undefined,
        sets.get(principal.orgId),
      ]);
      const facts = {
        ...(set.ok ? { policySet: set.handle } : {}),
        ...(req?.ip === undefined ? {} : { ip: req.ip }),
        at: now ?? new Date(),
        ...(req?.logDecision === undefined ? {} : { logDecision: req.logDecision }),
        ...(req?.throttle === undefined
          ? {}
          : { throttle: (rateClass: string) => req.throttle!(principal, rateClass) }),
      };
      if (grant === undefined) return { ...principal, facts };
      return { ...principal, roles: grant.roles, permissions: grant.permissions, facts };
    },
    policySet: (orgId) => sets.get(orgId),
    invalidate: (orgId) => {
      cache.invalidate(orgId);
      sets.invalidate(orgId);
    },
    stats: () => ({ ...cache.stats(), listening: listener.connected }),
    async close() {
      cache.setEnabled(false);
      await listener.close();
    },
  };
}

/** Wraps an authenticator so the principals it yields carry their current roles and permissions. */
export function withPermissions(authenticate: Authenticator, resolver: PermissionResolver): Authenticator {
  return async (req, now) => {
    const principal = await authenticate(req, now);
    return principal === undefined ? undefined : resolver.attach(principal, req, now);
  };
}
