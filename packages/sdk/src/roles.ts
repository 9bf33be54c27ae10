import type {
  CreateRoleInput,
  ForceFlag,
  InvitedUser,
  InviteUserInput,
  ListRolesFilter,
  ListUsersFilter,
  Role,
  UpdateRoleInput,
  User,
} from '@sprintconnect/contracts';
import type { Requester } from './http.ts';
import { segment } from './http.ts';
import { everyPage } from './pages.ts';
import type { Page } from './types.ts';

/** `/v1/roles`: built-in and custom roles; only custom ones change. */
export interface RolesApi {
  list(filter?: ListRolesFilter): Promise<Page<Role>>;
  all(): AsyncGenerator<Role, void, undefined>;
  get(id: string): Promise<Role>;
  create(body: CreateRoleInput): Promise<Role>;
  update(id: string, patch: UpdateRoleInput): Promise<Role>;
  delete(id: string): Promise<void>;
}

/** `/v1/users`: the org's users with their roles; `setRoles` replaces the whole list. */
export interface UsersApi {
  list(filter?: ListUsersFilter): Promise<Page<User>>;
  all(filter?: Omit<ListUsersFilter, 'cursor'>): AsyncGenerator<User, void, undefined>;
  get(id: string): Promise<User>;
  /** `force`: even if no credential able to administer the org would be left. */
  setRoles(id: string, roles: readonly string[], opts?: ForceFlag): Promise<User>;
  /** An invited user and their single-use invitation link (shown once). */
  invite(body: InviteUserInput): Promise<InvitedUser>;
  /** A new link for a user who has not accepted one; earlier links stop working. */
  reinvite(id: string): Promise<InvitedUser>;
  deactivate(id: string): Promise<User>;
  reactivate(id: string): Promise<User>;
}

export function rolesApi(request: Requester): RolesApi {
  const list = (filter: ListRolesFilter = {}) =>
    request<Page<Role>>('GET', '/v1/roles', { query: { ...filter } });
  return {
    list,
    all: () => everyPage(list, {}),
    get: (id) => request('GET', `/v1/roles/${segment(id)}`),
    create: (body) => request('POST', '/v1/roles', { body }),
    update: (id, patch) => request('PATCH', `/v1/roles/${segment(id)}`, { body: patch }),
    delete: (id) => request('DELETE', `/v1/roles/${segment(id)}`),
  };
}

export function usersApi(request: Requester): UsersApi {
  const list = (filter: ListUsersFilter = {}) =>
    request<Page<User>>('GET', '/v1/users', { query: { ...filter } });
  return {
    list,
    all: (filter = {}) => everyPage(list, filter),
    get: (id) => request('GET', `/v1/users/${segment(id)}`),
    setRoles: (id, roles, opts = {}) =>
      request('PUT', `/v1/users/${segment(id)}/roles`, {
        body: { roles },
        query: { force: opts.force || undefined },
      }),
    invite: (body) => request('POST', '/v1/users', { body }),
    reinvite: (id) => request('POST', `/v1/users/${segment(id)}/invitation`),
    deactivate: (id) => request('POST', `/v1/users/${segment(id)}/deactivate`),
    reactivate: (id) => request('POST', `/v1/users/${segment(id)}/reactivate`),
  };
}
