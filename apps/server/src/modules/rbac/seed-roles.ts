import type { Actor, Clock } from '../../kernel/index.ts';
import { uuidv7 } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import { BUILT_IN_ROLES } from './built-in-roles.ts';
import { announceAccessChange } from './permission-resolver.ts';
import { insertRole, listAllRoles, lockOrgAccess, updateRole } from './roles.repo.ts';

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Writes the built-in roles of an org, or brings them in line with BUILT_IN_ROLES after an upgrade changed
 * them. Idempotent and safe to run from many processes at once (under the org's access lock). Returns whether
 * anything changed.
 */
export async function syncBuiltInRoles(tx: Tx, orgId: string, clock: Clock): Promise<boolean> {
  await lockOrgAccess(tx, orgId);
  const byName = new Map((await listAllRoles(tx, orgId)).map((r) => [r.name, r]));
  const actor: Actor = { type: 'system', id: 'built-in-roles', orgId };
  let changed = false;
  // Parents come first in BUILT_IN_ROLES, so every `extends` is already written.
  for (const def of BUILT_IN_ROLES) {
    const parentId = def.extends === null ? null : (byName.get(def.extends)?.id ?? null);
    const current = byName.get(def.name);
    if (current === undefined) {
      const row = {
        org_id: orgId,
        id: uuidv7(),
        name: def.name,
        description: def.description,
        built_in: true,
        extends_role_id: parentId,
        permissions: [...def.permissions],
        created_at: clock.now(),
        updated_at: clock.now(),
      };
      await insertRole(tx, row);
      byName.set(def.name, row);
      await recordChange(
        tx,
        actor,
        {
          action: 'role.created',
          target: { type: 'role', id: row.id },
          data: { name: def.name, builtIn: true, extends: def.extends, permissions: row.permissions },
        },
        clock,
      );
      changed = true;
    } else if (
      current.built_in &&
      (current.description !== def.description ||
        current.extends_role_id !== parentId ||
        !sameList(current.permissions, def.permissions))
    ) {
      await updateRole(tx, orgId, current.id, {
        description: def.description,
        extends_role_id: parentId,
        permissions: [...def.permissions],
      });
      await recordChange(
        tx,
        actor,
        {
          action: 'role.updated',
          target: { type: 'role', id: current.id },
          data: {
            name: def.name,
            builtIn: true,
            reason: 'built-in definition changed',
            permissions: def.permissions,
          },
        },
        clock,
      );
      changed = true;
    }
  }
  if (changed) await announceAccessChange(tx, orgId);
  return changed;
}

export interface BuiltInRoles {
  /** Makes sure the org has its built-in roles, at most once per org in this process. */
  ensure(orgId: string): Promise<void>;
}

export function createBuiltInRoles(deps: {
  db: Db;
  clock: Clock;
  onChanged: (orgId: string) => void;
}): BuiltInRoles {
  const done = new Set<string>();
  return {
    async ensure(orgId) {
      if (done.has(orgId)) return;
      const changed = await withTenant(deps.db, orgId, (tx) => syncBuiltInRoles(tx, orgId, deps.clock));
      if (changed) deps.onChanged(orgId);
      done.add(orgId);
    },
  };
}
