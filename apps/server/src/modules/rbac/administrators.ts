import type { Tx } from '../../platform/db/index.ts';
import type { Authorizer, Permission } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import { activeUsersHolding, type PrincipalType, roleHolders } from './assignments.repo.ts';
import { lastAdministrator } from './rbac.errors.ts';
import { effectivePermissions, permissionsOfRoles } from './role-graph.ts';
import { listAllRoles, lockOrgAccess } from './roles.repo.ts';
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

/**
 * "Able to administer the organization" (issue 10 point 4, ADR 0037): whoever holds these can give access back
 * to anyone — assign roles, enable users, manage every API key. An org whose last such credential is revoked
 * or demoted by mistake can only be repaired from the database.
 */
export const ADMINISTER: readonly Permission[] = Object.freeze([
  'roles:write',
  'users:write',
  'api_keys:admin',
]);

/** A credential that can still authenticate, as the module that issues it knows it. */
export interface LiveCredential {
  readonly id: string;
  readonly name: string;
  /** The scopes that bound it (an API key's scopes, a CI client's registered scopes). */
  readonly scopes: readonly string[];
}

/**
 * A module that issues credentials which may hold roles or scopes tells rbac which of them are live (api-keys:
 * keys neither revoked nor expired; oauth: CI clients whose secret has not expired). Registered when that module
 * is built (ADR 0028), like api-keys' CredentialIssuer.
 */
export interface CredentialSource {
  readonly kind: Exclude<PrincipalType, 'user'>;
  /** In the caller's transaction: every live credential of this kind in the org. */
  live(tx: Tx, orgId: string): Promise<readonly LiveCredential[]>;
}

export interface Administrators {
  register(source: CredentialSource): void;
  /**
   * In the caller's transaction: up to `limit` credentials of the org that can still administer it (users,
   * clients, API keys), each decided by the policy decision point as its own requests would be.
   */
  remaining(tx: Tx, authz: Authorizer, limit?: number): Promise<Principal[]>;
  /**
   * The one guard for every change that can take administration away (a key revoked, a role removed, a user
   * disabled, a client removed): in the caller's transaction, serialised with every other access change of the
   * org, runs `change` and refuses it (409 last_administrator, the transaction rolls back) when the org could
   * be administered before and no longer can, unless `force`. `what` completes "This would ..." for the detail.
   */
  guard<T>(
    tx: Tx,
    authz: Authorizer,
    opts: { readonly force: boolean; readonly what: string },
    change: () => Promise<T>,
  ): Promise<T>;
}

const ORDER: readonly PrincipalType[] = ['user', 'client', 'api_key'];

export function createAdministrators(): Administrators {
  const sources = new Map<PrincipalType, CredentialSource>();

  /** Who might administer: role holders whose roles carry every ADMINISTER permission, and every live key. */
  async function candidates(tx: Tx, orgId: string): Promise<Principal[]> {
    const roles = roleIndex(await listAllRoles(tx, orgId));
    const holders = await roleHolders(tx, orgId);
    const roleIdsOf = new Map(holders.map((h) => [`${h.type}:${h.id}`, h.roleIds]));
    const names = (ids: readonly string[]) => ids.flatMap((id) => roles.get(id)?.name ?? []);
    // Roles are only a shortcut: an org policy may still forbid, which the decision point says. A principal
    // that only an org policy's own `permit` would make an administrator is not counted (a 409 too many, which
    // `force` overrides, rather than an org left without one).
    const byRoles = (ids: readonly string[]) => {
      const held = new Set(permissionsOfRoles(roles, ids));
      return ADMINISTER.every((p) => held.has(p));
    };
    const out: Principal[] = [];
    for (const kind of ORDER) {
      const source = kind === 'user' ? undefined : sources.get(kind);
      if (source === undefined) {
        // Users, and credentials no module vouches for (a process without the issuing module): by their roles.
        for (const h of holders) {
          if (h.type !== kind || !byRoles(h.roleIds)) continue;
          out.push(principalOf(kind, h.id, h.id, orgId, names(h.roleIds), []));
        }
        continue;
      }
      for (const c of await source.live(tx, orgId)) {
        const ids = roleIdsOf.get(`${kind}:${c.id}`) ?? [];
        // Scopes are judged by the decision point alone (a key's `admin` scope, a client's registered scopes).
        if (c.scopes.length === 0 && !byRoles(ids)) continue;
        out.push(principalOf(kind, c.id, c.name, orgId, names(ids), c.scopes));
      }
    }
    return out;
  }

  async function remaining(tx: Tx, authz: Authorizer, limit = Number.POSITIVE_INFINITY) {
    const orgId = authz.principal.orgId;
    const org = { type: 'org', orgId } as const;
    const found: Principal[] = [];
    for (const p of await candidates(tx, orgId)) {
      if (found.length >= limit) break;
      const as = authz.about(p);
      if (ADMINISTER.every((action) => as.decide(action, org).allowed)) found.push(p);
    }
    return found;
  }

  return {
    register(source) {
      if (sources.has(source.kind)) throw new Error(`rbac: a ${source.kind} credential source is registered`);
      sources.set(source.kind, source);
    },
    remaining,
    async guard(tx, authz, opts, change) {
      const orgId = authz.principal.orgId;
      await lockOrgAccess(tx, orgId);
      const before = (await remaining(tx, authz, 1)).length > 0;
      const result = await change();
      if (before && !opts.force && (await remaining(tx, authz, 1)).length === 0) {
        throw lastAdministrator(opts.what);
      }
      return result;
    },
  };
}

/**
 * How each kind is judged: a user by its roles; a client as a token carrying all its registered scopes (what
 * its tokens can do at most); a key by its scopes and roles (ADR 0037).
 */
function principalOf(
  kind: PrincipalType,
  id: string,
  name: string,
  orgId: string,
  roles: readonly string[],
  scopes: readonly string[],
): Principal {
  const authMethod =
    kind === 'api_key' ? 'api_key' : kind === 'client' && scopes.length > 0 ? 'bearer_jwt' : 'session';
  return { kind, id, orgId, name, roles, scopes, authMethod };
}
