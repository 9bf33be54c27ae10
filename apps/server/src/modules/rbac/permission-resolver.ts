import { isUuid } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { listen, notify, withTenant } from '../../platform/db/index.ts';
import type { Principal } from '../identity/index.ts';
import { roleIdsOf } from './assignments.repo.ts';
import { type AccessLoader, createPermissionCache, type Grant, type Who } from './permission-cache.ts';
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

/**
 * A per-process cache of something derived from an org's roles (the policy module's compiled policy sets):
 * told what the resolver's own cache is told, so it is exactly as fresh.
 */
export interface AccessCacheListener {
  invalidate(orgId: string): void;
  clear(): void;
  /** On while the invalidation channel is up; a cache must not keep anything while it is off. */
  setEnabled(on: boolean): void;
}

export interface PermissionResolver {
  resolve(orgId: string, who: Who): Promise<Grant>;
  /** Users and clients get their roles and permissions from the assignments; API keys pass as they are. */
  attach(principal: Principal): Promise<Principal>;
  /** Another cache that must follow role and policy changes exactly as this one does. */
  follow(listener: AccessCacheListener): void;
  /** Drop this process's caches for the org now (the notification will also arrive). */
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
  // The resolver's own cache first, then every cache that follows it (policy sets), in the order they came.
  const caches: AccessCacheListener[] = [cache];
  const listener = listen({
    connectionString: deps.listenUrl,
    channel: ACCESS_CHANNEL,
    onMessage: (orgId) => {
      for (const c of caches) {
        if (isUuid(orgId)) c.invalidate(orgId);
        else c.clear();
      }
    },
    // Messages sent while disconnected are lost: start from nothing on every connection.
    onConnected: () => {
      for (const c of caches) c.setEnabled(true);
    },
    onDisconnected: () => {
      for (const c of caches) c.setEnabled(false);
    },
  });

  return {
    resolve: (orgId, who) => cache.resolve(orgId, who),
    async attach(principal) {
      if (principal.kind !== 'user' && principal.kind !== 'client') return principal;
      const grant = await cache.resolve(principal.orgId, { type: principal.kind, id: principal.id });
      return { ...principal, roles: grant.roles, permissions: grant.permissions };
    },
    follow(c) {
      caches.push(c);
      // A follower that arrives while the channel is up starts enabled, as if it had seen the connection.
      c.setEnabled(listener.connected);
    },
    invalidate: (orgId) => {
      for (const c of caches) c.invalidate(orgId);
    },
    stats: () => ({ ...cache.stats(), listening: listener.connected }),
    async close() {
      cache.setEnabled(false);
      await listener.close();
    },
  };
}
