import type { User } from '@sprintconnect/contracts';
import type { Actor, Clock } from '../../kernel/index.ts';
import { uuidv7 } from '../../kernel/index.ts';
import type { Db, Tx } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import type { Authorizer } from '../authz/index.ts';
import { actorOf, assertRecentSignIn } from '../identity/index.ts';
import { whoCanAdminister } from './administrators.ts';
import { activeHoldersOf, addAssignments, roleIdsOf } from './assignments.repo.ts';
import { assertWithinHeld } from './escalation.ts';
import { announceAccessChange } from './permission-resolver.ts';
import { cannotDeactivateSelf, lastAdmin, lastOwner, userNotFound } from './rbac.errors.ts';
import type { UserStatus } from './rbac.schema.ts';
import { effectivePermissions, permissionsOfRoles } from './role-graph.ts';
import { namesToIds } from './role-names.ts';
import { listAllRoles, lockOrgAccess } from './roles.repo.ts';
import type { BuiltInRoles } from './seed-roles.ts';
import { findUser, insertUser, setUserStatus } from './users.repo.ts';
import { roleIndex, toUserView } from './views.ts';

/** What another module does in the transaction that deactivates a user (ends sessions, grants, links). */
export type DeactivationStep = (tx: Tx, actor: Actor, userId: string) => Promise<void>;

export interface UserLifecycle {
  /** Registers a step run inside every deactivation's transaction (sign-in's sessions, oauth's grants). */
  whenDeactivated(step: DeactivationStep): void;
  /** The org's built-in roles exist (call before a transaction that names them). */
  prepare(orgId: string): Promise<void>;
  /**
   * In the caller's transaction: a new user in state `invited` holding `roles`, each within the caller's own
   * permissions. A duplicate email fails the transaction (`isEmailConflict`).
   */
  createInvitedInTx(
    tx: Tx,
    authz: Authorizer,
    requestId: string | undefined,
    input: { email: string; name?: string | undefined; roles: readonly string[] },
  ): Promise<User>;
  /** In the caller's transaction: 403 unless the caller holds every permission the user's roles carry. */
  assertWithinUserInTx(tx: Tx, authz: Authorizer, userId: string, what: string): Promise<void>;
  deactivate(authz: Authorizer, requestId: string | undefined, userId: string): Promise<User>;
  reactivate(authz: Authorizer, requestId: string | undefined, userId: string): Promise<User>;
}

/**
 * Invited, active, deactivated (issue 10 point 5, ADR 0038). Acting on a user needs every permission their
 * roles carry (nobody locks out or restores someone more powerful); a person cannot deactivate themselves,
 * and the org keeps an active owner and an active user who can administer it. Deactivation and reactivation
 * are announced to every process at commit, so the user's tokens lose or regain their permissions within a
 * second, and an idempotent repeat changes and audits nothing.
 */
export function createUserLifecycle(deps: {
  db: Db;
  clock: Clock;
  builtIns: BuiltInRoles;
  onChanged: (orgId: string) => void;
}): UserLifecycle {
  const { db, clock, builtIns } = deps;
  const steps: DeactivationStep[] = [];

  async function rolesOf(tx: Tx, orgId: string, userId: string) {
    const rows = await listAllRoles(tx, orgId);
    const roles = roleIndex(rows);
    const ids = await roleIdsOf(tx, orgId, 'user', userId);
    return { rows, roles, ids, permissions: permissionsOfRoles(roles, ids) };
  }

  /** Deactivating must leave an active owner and an active user who can administer the org. */
  async function assertNotLast(tx: Tx, orgId: string, user: { id: string; email: string }, ownerId?: string) {
    if (ownerId !== undefined) {
      const owners = await activeHoldersOf(tx, orgId, ownerId);
      const others = owners.filter((h) => !(h.type === 'user' && h.id === user.id));
      if (owners.length > others.length && others.length === 0) throw lastOwner();
    }
    const admins = await whoCanAdminister(tx, orgId);
    if (admins.includes(user.id) && admins.length === 1) throw lastAdmin(user.email);
  }

  async function change(
    authz: Authorizer,
    requestId: string | undefined,
    userId: string,
    to: 'disabled' | 'active',
  ): Promise<User> {
    const principal = authz.principal;
    assertRecentSignIn(principal, clock.now());
    if (to === 'disabled' && principal.kind === 'user' && principal.id === userId) {
      throw cannotDeactivateSelf();
    }
    const orgId = principal.orgId;
    await builtIns.ensure(orgId);
    let changed = false;
    const view = await withTenant(db, orgId, async (tx) => {
      await lockOrgAccess(tx, orgId);
      const user = await findUser(tx, orgId, userId);
      if (user === undefined) throw userNotFound(userId);
      const { rows, roles, ids, permissions } = await rolesOf(tx, orgId, userId);
      // Repeating a deactivation (or reactivating someone who is not deactivated) is a no-op.
      const from: UserStatus = user.status;
      if (to === 'disabled' ? from === 'disabled' : from !== 'disabled') return toUserView(user, ids, roles);
      const verb = to === 'disabled' ? 'deactivate' : 'reactivate';
      assertWithinHeld(authz, `${verb} ${user.email}`, permissions);
      if (to === 'disabled') {
        const owner = rows.find((r) => r.built_in && r.name === 'owner');
        await assertNotLast(
          tx,
          orgId,
          user,
          owner !== undefined && ids.includes(owner.id) ? owner.id : undefined,
        );
      }
      const now = clock.now();
      await setUserStatus(tx, orgId, userId, to, now);
      const actor = actorOf(principal, requestId);
      if (to === 'disabled') for (const step of steps) await step(tx, actor, userId);
      await recordChange(
        tx,
        actor,
        {
          action: to === 'disabled' ? 'user.deactivated' : 'user.reactivated',
          target: { type: 'user', id: userId },
          data: { email: user.email, from, to },
        },
        clock,
      );
      await announceAccessChange(tx, orgId);
      changed = true;
      return toUserView({ ...user, status: to, updated_at: now }, ids, roles);
    });
    if (changed) deps.onChanged(orgId);
    return view;
  }

  return {
    whenDeactivated(step) {
      steps.push(step);
    },
    prepare: (orgId) => builtIns.ensure(orgId),

    async createInvitedInTx(tx, authz, requestId, input) {
      const principal = authz.principal;
      const orgId = principal.orgId;
      await lockOrgAccess(tx, orgId);
      const rows = await listAllRoles(tx, orgId);
      const roles = roleIndex(rows);
      const ids = namesToIds(rows, input.roles, '/roles');
      for (const [i, id] of ids.entries()) {
        assertWithinHeld(authz, `grant the role "${input.roles[i]}"`, effectivePermissions(roles, id));
      }
      const id = uuidv7();
      const now = clock.now();
      const email = input.email.trim().toLowerCase();
      const row = {
        org_id: orgId,
        id,
        email,
        name: input.name ?? '',
        created_at: now,
        status: 'invited' as const,
      };
      await insertUser(tx, row);
      const actor = actorOf(principal, requestId);
      await addAssignments(tx, orgId, { type: 'user', id }, ids, `${actor.type}:${actor.id}`);
      await recordChange(
        tx,
        actor,
        {
          action: 'user.created',
          target: { type: 'user', id },
          data: { email, roles: [...input.roles], status: 'invited', source: 'invitation' },
        },
        clock,
      );
      return toUserView({ ...row, updated_at: now, last_login_at: null }, ids, roles);
    },

    async assertWithinUserInTx(tx, authz, userId, what) {
      const { permissions } = await rolesOf(tx, authz.principal.orgId, userId);
      assertWithinHeld(authz, what, permissions);
    },

    deactivate: (authz, requestId, userId) => change(authz, requestId, userId, 'disabled'),
    reactivate: (authz, requestId, userId) => change(authz, requestId, userId, 'active'),
  };
}
