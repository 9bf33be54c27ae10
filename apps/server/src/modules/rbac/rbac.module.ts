import type { FastifyPluginAsync } from 'fastify';
import type { Platform } from '../../platform/platform.ts';
import type { Principal } from '../identity/index.ts';
import { createPermissionResolver, type PermissionResolver } from './permission-resolver.ts';
import { roleRoutes } from './roles.routes.ts';
import { createRolesService, type RolesService } from './roles.service.ts';
import { createBuiltInRoles } from './seed-roles.ts';
import { userRoutes } from './users.routes.ts';
import { createUsersService, type UsersService } from './users.service.ts';

export interface RbacModule {
  readonly name: 'rbac';
  /** Each principal's roles and permissions from its assignments, cached per process (ADR 0007). */
  readonly permissions: PermissionResolver;
  readonly roles: RolesService;
  readonly users: UsersService;
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
  const users = createUsersService({ db, clock, builtIns, onChanged: permissions.invalidate });
  return {
    name: 'rbac',
    permissions,
    roles,
    users,
    routes: [roleRoutes(roles), userRoutes(users)],
    hooks: { principal: (p) => permissions.attach(p) },
    close: () => permissions.close(),
  };
}
