import type { CreateRoleInput, ListRolesFilter, Role, UpdateRoleInput } from '@sprintconnect/contracts';
import type { Clock } from '../../kernel/index.ts';
import { AppError, isAfterKeyset, keysetPage, readKeyset, uuidv7 } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { requireOwned, withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import type { Authorizer } from '../authz/index.ts';
import { isPermission, type Permission } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import { actorOf, assertRecentSignIn } from '../identity/index.ts';
import { countAssignments } from './assignments.repo.ts';
import { assertWithinHeld } from './escalation.ts';
import { announceAccessChange } from './permission-resolver.ts';
import {
  inheritanceInvalid,
  roleBuiltIn,
  roleInUse,
  roleNameTaken,
  roleNotFound,
  unknownPermissions,
} from './rbac.errors.ts';
import { effectivePermissions, inheritanceProblem } from './role-graph.ts';
import {
  deleteRole,
  insertRole,
  isRoleNameConflict,
  listAllRoles,
  lockOrgAccess,
  ROLE_ORDER,
  updateRole,
} from './roles.repo.ts';
import type { BuiltInRoles } from './seed-roles.ts';
import { type RoleIndex, roleIndex, toRoleView } from './views.ts';

function checkPermissions(list: readonly string[] | undefined): Permission[] | undefined {
  if (list === undefined) return undefined;
  const bad = list.flatMap((name, index) => (isPermission(name) ? [] : [{ index, name }]));
  if (bad.length > 0) throw unknownPermissions(bad);
  return list as Permission[];
}

function parentIdOf(roles: RoleIndex, name: string | null): string | null {
  if (name === null) return null;
  for (const r of roles.values()) if (r.name === name) return r.id;
  throw new AppError('validation_failed', `There is no role "${name}" to extend.`, {
    errors: [{ pointer: '/extends', detail: `no role named "${name}"` }],
  });
}

/** Custom roles: named permission sets, optionally extending another role. Built-in roles are read-only. */
export function createRolesService(deps: {
  db: Db;
  clock: Clock;
  builtIns: BuiltInRoles;
  /** After a commit that changed roles: drop this process's cached permissions for the org. */
  onChanged: (orgId: string) => void;
}) {
  const { db, clock, builtIns } = deps;

  return {
    async list(
      principal: Principal,
      f: ListRolesFilter,
    ): Promise<{ items: Role[]; nextCursor: string | null }> {
      const orgId = principal.orgId;
      await builtIns.ensure(orgId);
      const limit = f.limit ?? 50;
      const after = readKeyset(ROLE_ORDER, f.cursor);
      // Orgs have tens of roles and every view needs the whole inheritance graph: read all, page in memory.
      const rows = await withTenant(db, orgId, (tx) => listAllRoles(tx, orgId));
      const roles = roleIndex(rows);
      const rest = after === undefined ? rows : rows.filter((r) => isAfterKeyset(ROLE_ORDER, r, after));
      const page = keysetPage(ROLE_ORDER, rest, limit);
      return { items: page.items.map((r) => toRoleView(r, roles)), nextCursor: page.nextCursor };
    },

    async get(principal: Principal, id: string): Promise<Role> {
      const orgId = principal.orgId;
      await builtIns.ensure(orgId);
      const rows = await withTenant(db, orgId, (tx) => listAllRoles(tx, orgId));
      const row = rows.find((r) => r.id === id);
      if (row === undefined) throw roleNotFound(id);
      return toRoleView(row, roleIndex(rows));
    },

    async create(authz: Authorizer, requestId: string | undefined, input: CreateRoleInput): Promise<Role> {
      const principal = authz.principal;
      assertRecentSignIn(principal, clock.now());
      const permissions = checkPermissions(input.permissions) ?? [];
      const orgId = principal.orgId;
      await builtIns.ensure(orgId);
      try {
        const view = await withTenant(db, orgId, async (tx) => {
          await lockOrgAccess(tx, orgId);
          const rows = await listAllRoles(tx, orgId);
          if (rows.some((r) => r.name === input.name)) throw roleNameTaken(input.name);
          const roles = roleIndex(rows);
          const id = uuidv7();
          const parentId = parentIdOf(roles, input.extends ?? null);
          if (parentId !== null) {
            const problem = inheritanceProblem(roles, id, parentId);
            if (problem !== undefined) throw inheritanceInvalid(problem);
          }
          roles.set(id, { id, name: input.name, extendsId: parentId, permissions });
          assertWithinHeld(authz, `create the role "${input.name}"`, effectivePermissions(roles, id));
          const now = clock.now();
          const row = {
            org_id: orgId,
            id,
            name: input.name,
            description: input.description ?? '',
            built_in: false,
            extends_role_id: parentId,
            permissions,
            created_at: now,
            updated_at: now,
          };
          await insertRole(tx, row);
          await recordChange(
            tx,
            actorOf(principal, requestId),
            {
              action: 'role.created',
              target: { type: 'role', id },
              data: { name: input.name, extends: input.extends ?? null, permissions },
            },
            clock,
          );
          // Processes that cached the org's roles must learn of the new one before anyone is given it.
          await announceAccessChange(tx, orgId);
          return toRoleView(row, roles);
        });
        deps.onChanged(orgId);
        return view;
      } catch (e) {
        if (isRoleNameConflict(e)) throw roleNameTaken(input.name);
        throw e;
      }
    },

    async update(
      authz: Authorizer,
      requestId: string | undefined,
      id: string,
      input: UpdateRoleInput,
    ): Promise<Role> {
      const principal = authz.principal;
      assertRecentSignIn(principal, clock.now());
      const permissions = checkPermissions(input.permissions);
      const orgId = principal.orgId;
      await builtIns.ensure(orgId);
      try {
        const view = await withTenant(db, orgId, async (tx) => {
          await lockOrgAccess(tx, orgId);
          const rows = await listAllRoles(tx, orgId);
          const row = await requireOwned(
            tx,
            { table: 'roles', orgId, id },
            async () => rows.find((r) => r.id === id),
            roleNotFound,
          );
          if (row.built_in) throw roleBuiltIn(row.name);
          const name = input.name ?? row.name;
          if (name !== row.name && rows.some((r) => r.name === name)) throw roleNameTaken(name);
          const before = roleIndex(rows);
          const parentId =
            input.extends === undefined ? row.extends_role_id : parentIdOf(before, input.extends);
          if (parentId !== null && parentId !== row.extends_role_id) {
            const problem = inheritanceProblem(before, id, parentId);
            if (problem !== undefined) throw inheritanceInvalid(problem);
          }
          const after = new Map(before);
          after.set(id, { id, name, extendsId: parentId, permissions: permissions ?? row.permissions });
          const was = effectivePermissions(before, id);
          const will = effectivePermissions(after, id);
          // Changing a role changes everyone who holds or inherits it: both its old and new powers must be yours.
          assertWithinHeld(authz, `change the role "${row.name}"`, [...was, ...will]);
          await updateRole(tx, orgId, id, {
            name,
            ...(input.description !== undefined && { description: input.description }),
            extends_role_id: parentId,
            ...(permissions !== undefined && { permissions }),
          });
          await recordChange(
            tx,
            actorOf(principal, requestId),
            {
              action: 'role.updated',
              target: { type: 'role', id },
              data: {
                name,
                fields: Object.keys(input),
                permissionsAdded: will.filter((p) => !was.includes(p)),
                permissionsRemoved: was.filter((p) => !will.includes(p)),
              },
            },
            clock,
          );
          await announceAccessChange(tx, orgId);
          const updated = (await listAllRoles(tx, orgId)).find((r) => r.id === id)!;
          return toRoleView(updated, after);
        });
        deps.onChanged(orgId);
        return view;
      } catch (e) {
        if (isRoleNameConflict(e)) throw roleNameTaken(input.name ?? '');
        throw e;
      }
    },

    async remove(authz: Authorizer, requestId: string | undefined, id: string): Promise<void> {
      const principal = authz.principal;
      assertRecentSignIn(principal, clock.now());
      const orgId = principal.orgId;
      await builtIns.ensure(orgId);
      await withTenant(db, orgId, async (tx) => {
        await lockOrgAccess(tx, orgId);
        const rows = await listAllRoles(tx, orgId);
        const row = await requireOwned(
          tx,
          { table: 'roles', orgId, id },
          async () => rows.find((r) => r.id === id),
          roleNotFound,
        );
        if (row.built_in) throw roleBuiltIn(row.name);
        const children = rows.filter((r) => r.extends_role_id === id).map((r) => r.name);
        const assigned = await countAssignments(tx, orgId, id);
        if (children.length > 0 || assigned > 0) throw roleInUse(row.name, assigned, children);
        assertWithinHeld(authz, `delete the role "${row.name}"`, effectivePermissions(roleIndex(rows), id));
        await deleteRole(tx, orgId, id);
        await recordChange(
          tx,
          actorOf(principal, requestId),
          { action: 'role.deleted', target: { type: 'role', id }, data: { name: row.name } },
          clock,
        );
        await announceAccessChange(tx, orgId);
      });
      deps.onChanged(orgId);
    },
  };
}

export type RolesService = ReturnType<typeof createRolesService>;
