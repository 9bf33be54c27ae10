import type { Tx } from '../../platform/db/index.ts';
import type { Permission } from '../authz/index.ts';
import { activeUsersHolding } from './assignments.repo.ts';
import { effectivePermissions } from './role-graph.ts';
import { listAllRoles } from './roles.repo.ts';
import { roleIndex } from './views.ts';

/**
 * What "able to administer the organization" means (ADR 0038): manage its people and what they may do. Someone
 * holding both can give anyone, themselves included, every other permission within their reach, and can
 * invite, deactivate and reactivate users; without anyone holding them, nobody can repair access from the API.
 */
export const ORG_ADMIN_PERMISSIONS: readonly Permission[] = Object.freeze(['users:write', 'roles:write']);

/**
 * The active users of the org who can still administer it: each holds every permission of
 * `ORG_ADMIN_PERMISSIONS` through the union of their roles (inherited permissions included). Machine
 * credentials (API keys, OAuth clients) are not counted: they expire and rotate, and an org must keep a person
 * who can act (a lost key is recovered with `sprintconnect admin create-key`). Run it inside the transaction
 * that changes a user's status or roles, after `lockOrgAccess`, so two admins cannot deactivate each other at
 * once and leave nobody.
 */
export async function whoCanAdminister(tx: Tx, orgId: string): Promise<string[]> {
  const roles = roleIndex(await listAllRoles(tx, orgId));
  const grants = new Map<string, ReadonlySet<Permission>>();
  for (const id of roles.keys()) grants.set(id, new Set(effectivePermissions(roles, id)));
  // Only roles that carry at least one of the permissions can contribute to an administrator.
  const relevant = [...grants].filter(([, p]) => ORG_ADMIN_PERMISSIONS.some((x) => p.has(x)));
  const held = new Map<string, Set<Permission>>();
  for (const { userId, roleId } of await activeUsersHolding(
    tx,
    orgId,
    relevant.map(([id]) => id),
  )) {
    const mine = held.get(userId) ?? new Set<Permission>();
    for (const p of grants.get(roleId) ?? []) mine.add(p);
    held.set(userId, mine);
  }
  return [...held]
    .filter(([, p]) => ORG_ADMIN_PERMISSIONS.every((x) => p.has(x)))
    .map(([userId]) => userId)
    .sort();
}
