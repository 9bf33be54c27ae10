import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import type { Principal } from '../identity/index.ts';
import { type Administrators, createAdministrators } from './administrators.ts';
import { type CredentialRoles, createCredentialRoles } from './credential-roles.ts';
import { createPermissionResolver, type PermissionResolver } from './permission-resolver.ts';
import { roleRoutes } from './roles.routes.ts';
import { createRolesService, type RolesService } from './roles.service.ts';
import { createBuiltInRoles } from './seed-roles.ts';
import { createUserLifecycle, type UserLifecycle } from './user-lifecycle.ts';
import { userRoutes } from './users.routes.ts';
import { createUsersService, type UsersService } from './users.service.ts';

export interface RbacModule {
  readonly name: 'rbac';
  /** Each principal's roles and permissions from its assignments, cached per process (ADR 0007). */
  readonly permissions: PermissionResolver;
  readonly roles: RolesService;
  readonly users: UsersService;
  /** Invited, active, deactivated users (ADR 0038); other modules hook into deactivation. */
  readonly lifecycle: UserLifecycle;
  /** Roles of credentials other modules issue (API keys, ADR 0037). */
  readonly credentialRoles: CredentialRoles;
  /**
   * Who can still administer the org, and the guard every change that could take that away runs in its
   * transaction (issue 10 point 4, ADR 0037). Modules that issue credentials register them here.
   */
  readonly administrators: Administrators;
  /** `/v1/roles`, `/v1/users`. */
  readonly routes: readonly FastifyPluginAsync[];
  /** After authentication: users and clients get their current roles and permissions. */
  readonly hooks: { readonly principal: (p: Principal) => Promise<Principal> };
  close(): Promise<void>;
}

/**
 * Roles, users and role assignments (issue 9 point 2, ADR 0029). Role changes reach every process within a
 * second: each keeps a cache invalidated over LISTEN/NOTIFY, which other caches derived from roles follow
 * (`permissions.follow`).
 */
export function createRbacModule(deps: Pick<Platform, 'db' | 'clock' | 'listenUrl'>): RbacModule {
  const { db, clock } = deps;
  const permissions = createPermissionResolver({ db, listenUrl: deps.listenUrl });
  const builtIns = createBuiltInRoles({ db, clock, onChanged: permissions.invalidate });
  const roles = createRolesService({ db, clock, builtIns, onChanged: permissions.invalidate });
  const administrators = createAdministrators();
  const users = createUsersService({
    db,
    clock,
    builtIns,
    administrators,
    onChanged: permissions.invalidate,
  });
  const lifecycle = createUserLifecycle({ db, clock, builtIns, onChanged: permissions.invalidate });
  return {
    name: 'rbac',
    permissions,
    roles,
    users,
    lifecycle,
    credentialRoles: createCredentialRoles({ db, builtIns }),
    administrators,
    routes: [roleRoutes(roles), userRoutes(users, lifecycle)],
    hooks: { principal: (p) => permissions.attach(p) },
    close: () => permissions.close(),
  };
}
