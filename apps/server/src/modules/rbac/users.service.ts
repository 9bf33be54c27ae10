import type { ListUsersFilter, User } from '@sprintconnect/contracts';
import type { Actor, Clock } from '../../kernel/index.ts';
import { AppError, keysetPage, readKeyset, uuidv7 } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import type { Authorizer } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import { actorOf, assertRecentSignIn } from '../identity/index.ts';
import type { Administrators } from './administrators.ts';
import {
  activeHoldersOf,
  addAssignments,
  type PrincipalType,
  removeAssignments,
  roleIdsOf,
  roleIdsOfMany,
} from './assignments.repo.ts';
import { assertWithinHeld } from './escalation.ts';
import { announceAccessChange } from './permission-resolver.ts';
import { lastOwner, userNotFound } from './rbac.errors.ts';
import { effectivePermissions } from './role-graph.ts';
import { namesToIds } from './role-names.ts';
import { listAllRoles, lockOrgAccess } from './roles.repo.ts';
import type { BuiltInRoles } from './seed-roles.ts';
import { findUser, insertUser, isEmailConflict, listUsers, USER_ORDER } from './users.repo.ts';
import { roleIndex, toUserView } from './views.ts';

/** The users of an org and the roles assigned to them. Sign-in (SSO, passwords) creates users elsewhere. */
export function createUsersService(deps: {
  db: Db;
  clock: Clock;
  builtIns: BuiltInRoles;
  administrators: Administrators;
  onChanged: (orgId: string) => void;
}) {
  const { db, clock, builtIns } = deps;

  return {
    async list(
      principal: Principal,
      f: ListUsersFilter,
    ): Promise<{ items: User[]; nextCursor: string | null }> {
      const orgId = principal.orgId;
      await builtIns.ensure(orgId);
      const limit = f.limit ?? 50;
      const after = readKeyset(USER_ORDER, f.cursor);
      return withTenant(db, orgId, async (tx) => {
        const roleRows = await listAllRoles(tx, orgId);
        const roleId = f.role === undefined ? undefined : namesToIds(roleRows, [f.role], '/role')[0];
        const rows = await listUsers(tx, orgId, {
          q: f.q,
          status: f.status,
          roleId,
          limit,
          after,
        });
        const { items: page, nextCursor } = keysetPage(USER_ORDER, rows, limit);
        const assigned = await roleIdsOfMany(
          tx,
          orgId,
          'user',
          page.map((u) => u.id),
        );
        const roles = roleIndex(roleRows);
        return { items: page.map((u) => toUserView(u, assigned.get(u.id) ?? [], roles)), nextCursor };
      });
    },

    async get(principal: Principal, id: string): Promise<User> {
      const orgId = principal.orgId;
      await builtIns.ensure(orgId);
      return withTenant(db, orgId, async (tx) => {
        const user = await findUser(tx, orgId, id);
        if (user === undefined) throw userNotFound(id);
        return toUserView(
          user,
          await roleIdsOf(tx, orgId, 'user', id),
          roleIndex(await listAllRoles(tx, orgId)),
        );
      });
    },

    /**
     * Replaces the user's roles. Adding or removing a role needs every permission that role carries (no
     * escalation, and no demoting someone more powerful), a recent sign-in, and must leave an active owner and,
     * unless `force`, a credential able to administer the org (ADR 0037).
     */
    async setRoles(
      authz: Authorizer,
      requestId: string | undefined,
      userId: string,
      names: readonly string[],
      opts: { force?: boolean | undefined } = {},
    ): Promise<User> {
      const principal = authz.principal;
      assertRecentSignIn(principal, clock.now());
      const orgId = principal.orgId;
      await builtIns.ensure(orgId);
      let changed = false;
      const view = await withTenant(db, orgId, async (tx) => {
        await lockOrgAccess(tx, orgId);
        const user = await findUser(tx, orgId, userId);
        if (user === undefined) throw userNotFound(userId);
        const rows = await listAllRoles(tx, orgId);
        const roles = roleIndex(rows);
        const wanted = namesToIds(rows, names, '/roles');
        const current = await roleIdsOf(tx, orgId, 'user', userId);
        const added = wanted.filter((id) => !current.includes(id));
        const removed = current.filter((id) => !wanted.includes(id));
        const nameOf = (id: string) => roles.get(id)?.name ?? id;
        for (const id of added) {
          assertWithinHeld(authz, `grant the role "${nameOf(id)}"`, effectivePermissions(roles, id));
        }
        for (const id of removed) {
          assertWithinHeld(authz, `remove the role "${nameOf(id)}"`, effectivePermissions(roles, id));
        }
        const owner = rows.find((r) => r.built_in && r.name === 'owner');
        if (owner !== undefined && removed.includes(owner.id) && user.status === 'active') {
          const others = (await activeHoldersOf(tx, orgId, owner.id)).filter(
            (h) => !(h.type === 'user' && h.id === userId),
          );
          if (others.length === 0) throw lastOwner();
        }
        if (added.length > 0 || removed.length > 0) {
          const actor = actorOf(principal, requestId);
          const what = `take ${removed.map((id) => `"${nameOf(id)}"`).join(', ')} from ${user.email}`;
          const apply = async () => {
            await removeAssignments(tx, orgId, { type: 'user', id: userId }, removed);
            await addAssignments(tx, orgId, { type: 'user', id: userId }, added, `${actor.type}:${actor.id}`);
          };
          if (removed.length === 0) await apply();
          else await deps.administrators.guard(tx, authz, { force: opts.force === true, what }, apply);
          await recordChange(
            tx,
            actor,
            {
              action: 'user.roles_changed',
              target: { type: 'user', id: userId },
              data: {
                email: user.email,
                added: added.map(nameOf),
                removed: removed.map(nameOf),
                roles: wanted.map(nameOf),
              },
            },
            clock,
          );
          await announceAccessChange(tx, orgId);
          changed = true;
        }
        return toUserView(user, wanted, roles);
      });
      if (changed) deps.onChanged(orgId);
      return view;
    },

    /** Creates a user (sign-up, invitation, first SSO sign-in, tests). The email is stored lower-cased. */
    async create(actor: Actor, input: { email: string; name?: string }): Promise<User> {
      const email = input.email.trim().toLowerCase();
      const id = uuidv7();
      const now = clock.now();
      try {
        return await withTenant(db, actor.orgId, async (tx) => {
          const row = { org_id: actor.orgId, id, email, name: input.name ?? '', created_at: now };
          await insertUser(tx, row);
          await recordChange(
            tx,
            actor,
            { action: 'user.created', target: { type: 'user', id }, data: { email } },
            clock,
          );
          const created = await findUser(tx, actor.orgId, id);
          return toUserView(created!, [], new Map());
        });
      } catch (e) {
        if (isEmailConflict(e))
          throw new AppError('conflict', `A user with the email ${email} already exists.`);
        throw e;
      }
    },

    /**
     * Adds roles to a user or an OAuth client on behalf of the system (first owner, default role of a new SSO
     * user, a client's roles set by configuration): no step-up and no escalation check, for callers that are
     * not a request. Names must exist; built-in roles are written first if needed.
     */
    async grantAsSystem(
      actor: Actor,
      who: { type: PrincipalType; id: string },
      names: readonly string[],
    ): Promise<void> {
      await builtIns.ensure(actor.orgId);
      await withTenant(db, actor.orgId, async (tx) => {
        await lockOrgAccess(tx, actor.orgId);
        const rows = await listAllRoles(tx, actor.orgId);
        const ids = namesToIds(rows, names, '/roles');
        const current = await roleIdsOf(tx, actor.orgId, who.type, who.id);
        const added = ids.filter((id) => !current.includes(id));
        if (added.length === 0) return;
        await addAssignments(tx, actor.orgId, who, added, `${actor.type}:${actor.id}`);
        await recordChange(
          tx,
          actor,
          {
            action: `${who.type}.roles_changed`,
            target: { type: who.type, id: who.id },
            data: { added: added.map((id) => rows.find((r) => r.id === id)!.name), removed: [] },
          },
          clock,
        );
        await announceAccessChange(tx, actor.orgId);
      });
      deps.onChanged(actor.orgId);
    },

    /**
     * In the caller's transaction: takes every role from a user or an OAuth client, without checks (the caller
     * has decided, e.g. a removed client, issue 8 point 3). Audited, and announced to every process at commit.
     */
    async removeAllInTx(tx: Tx, actor: Actor, who: { type: PrincipalType; id: string }): Promise<void> {
      await lockOrgAccess(tx, actor.orgId);
      const current = await roleIdsOf(tx, actor.orgId, who.type, who.id);
      if (current.length === 0) return;
      const rows = await listAllRoles(tx, actor.orgId);
      await removeAssignments(tx, actor.orgId, who, current);
      await recordChange(
        tx,
        actor,
        {
          action: `${who.type}.roles_changed`,
          target: { type: who.type, id: who.id },
          data: { added: [], removed: current.map((id) => rows.find((r) => r.id === id)?.name ?? id) },
        },
        clock,
      );
      await announceAccessChange(tx, actor.orgId);
    },
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
