import type { Actor } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { addAssignments, type PrincipalType, roleIdsOfMany } from './assignments.repo.ts';
import { announceAccessChange } from './permission-resolver.ts';
import { namesToIds } from './role-names.ts';
import { listAllRoles, lockOrgAccess } from './roles.repo.ts';
import type { BuiltInRoles } from './seed-roles.ts';
import { roleIndex } from './views.ts';

/**
 * Roles given to a credential as it is created, by the module that issues it (API keys, ADR 0037): named, checked
 * before its transaction, written inside it, and shown with it. Taking them away is the users service's
 * `removeAllInTx`, as for a removed client.
 */
export interface CredentialRoles {
  /**
   * Before a transaction that assigns roles by name (`assignInTx`): the org's built-in roles exist, and every
   * name is a role of the org (else 422 naming each unknown one at `pointer`).
   */
  check(orgId: string, names: readonly string[], pointer?: string): Promise<void>;
  /**
   * In the caller's transaction: gives the roles without checks (the caller has decided: the credential is
   * within its creator's authority). Names must exist (422). Announced to every process at commit.
   */
  assignInTx(
    tx: Tx,
    actor: Actor,
    who: { type: PrincipalType; id: string },
    names: readonly string[],
    pointer?: string,
  ): Promise<void>;
  /** The role names each of `ids` (of one kind) holds, sorted, for views of many credentials. */
  namesOf(orgId: string, type: PrincipalType, ids: readonly string[]): Promise<Map<string, string[]>>;
}

export function createCredentialRoles(deps: { db: Db; builtIns: BuiltInRoles }): CredentialRoles {
  const { db, builtIns } = deps;
  return {
    async check(orgId, names, pointer = '/roles') {
      if (names.length === 0) return;
      await builtIns.ensure(orgId);
      await withTenant(db, orgId, async (tx) => namesToIds(await listAllRoles(tx, orgId), names, pointer));
    },

    async assignInTx(tx, actor, who, names, pointer = '/roles') {
      if (names.length === 0) return;
      await lockOrgAccess(tx, actor.orgId);
      const ids = namesToIds(await listAllRoles(tx, actor.orgId), names, pointer);
      await addAssignments(tx, actor.orgId, who, ids, `${actor.type}:${actor.id}`);
      await announceAccessChange(tx, actor.orgId);
    },

    async namesOf(orgId, type, ids) {
      if (ids.length === 0) return new Map();
      return withTenant(db, orgId, async (tx) => {
        const roles = roleIndex(await listAllRoles(tx, orgId));
        const assigned = await roleIdsOfMany(tx, orgId, type, ids);
        return new Map(
          [...assigned].map(([id, roleIds]) => [id, roleIds.flatMap((r) => roles.get(r)?.name ?? []).sort()]),
        );
      });
    },
  };
}
