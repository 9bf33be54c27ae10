import type {
  ApiKeyView,
  CreateApiKeyInput,
  ListApiKeysFilter,
  UpdateApiKeyInput,
} from '@sprintconnect/contracts';
import type { Clock } from '../../kernel/index.ts';
import { AppError, keysetPage, readKeyset, systemClock } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { Authorizer, Permission } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import { actorOf } from '../identity/index.ts';
import { ApiKeysError } from './api-keys.errors.ts';
import type { TxGuard } from './api-keys.ports.ts';
import { API_KEY_ORDER, findApiKey, listApiKeys } from './api-keys.repo.ts';
import {
  assertRateLimitWithin,
  assertStepUpForAdminKey,
  rateLimitCeiling,
  resolveExpiry,
  toApiKeyView,
  withinCreator,
} from './api-keys.rules.ts';
import type { ApiKeyService } from './api-keys.service.ts';

export interface ApiKeyManagement {
  issue(
    authz: Authorizer,
    requestId: string,
    input: CreateApiKeyInput,
  ): Promise<ApiKeyView & { token: string }>;
  list(
    principal: Principal,
    filter: ListApiKeysFilter,
  ): Promise<{ items: ApiKeyView[]; nextCursor: string | null }>;
  get(principal: Principal, id: string): Promise<ApiKeyView>;
  /** Changes a key's own rate limit: api_keys:write and the no-broader rule, as for revoking another key. */
  update(authz: Authorizer, requestId: string, id: string, input: UpdateApiKeyInput): Promise<ApiKeyView>;
  /**
   * Revokes (idempotent). A key may always revoke itself; other keys need api_keys:write and the no-broader rule.
   * Revoking the org's last credential able to administer it answers 409 last_administrator unless `force`.
   */
  revoke(
    authz: Authorizer,
    requestId: string,
    id: string,
    opts?: { force?: boolean | undefined },
  ): Promise<void>;
  /**
   * The latest expiry a credential made by `principal` may have: its own key's or OAuth client's expiry (a
   * date), null when it never expires, undefined when nothing bounds it (issue 8 point 3 and its fixes, D4).
   */
  expiryBound(principal: Principal): Promise<Date | null | undefined>;
}

const notFound = (id: string) =>
  new ApiKeysError('api_key_not_found', `No API key ${id} in this organization.`);

/** What the key management needs of rbac (ADR 0037): role names, checked and shown, and the admin guard. */
export interface KeyRoleDirectory {
  /** 422 naming each name that is not a role of the org. */
  check(orgId: string, names: readonly string[]): Promise<void>;
  namesOf(orgId: string, keyIds: readonly string[]): Promise<ReadonlyMap<string, readonly string[]>>;
  /** The last-administrator guard for a change made with `authz`'s authority. */
  guard(authz: Authorizer, opts: { force: boolean; what: string }): TxGuard;
}

export function createApiKeyManagement(deps: {
  db: Db;
  keys: ApiKeyService;
  /** SPRINTCONNECT_API_KEY_RATE_LIMIT: a key without its own limit has this one. */
  defaultRateLimit: number;
  roles?: KeyRoleDirectory | undefined;
  clock?: Clock;
  /** An OAuth client's expiry (null: never; undefined: not a client of this org). */
  clientExpiry?: (orgId: string, clientId: string) => Promise<Date | null | undefined>;
}): ApiKeyManagement {
  const { db, keys } = deps;
  const clock = deps.clock ?? systemClock;

  /**
   * The permissions a key with `scopes` and `roles` would have: exactly what its authorizer would let it do,
   * decided on the caller's org policy set (the set the key will be decided on), role policies included.
   */
  function grantedBy(
    caller: Authorizer,
    scopes: readonly string[],
    roles: readonly string[] = [],
  ): readonly Permission[] {
    return caller
      .about({
        kind: 'api_key',
        id: 'candidate',
        orgId: caller.principal.orgId,
        name: 'candidate',
        scopes,
        roles,
        authMethod: 'api_key',
      })
      .held();
  }

  /** What a key with `scopes` and `roles` could do that the caller cannot, in catalogue order. */
  function beyondHeld(authz: Authorizer, scopes: readonly string[], roles: readonly string[] = []): string[] {
    const held = new Set(authz.held());
    return grantedBy(authz, scopes, roles).filter((p) => !held.has(p));
  }

  /** Admin-level: it grants a permission that the plain `write` scope does not (e.g. api_keys:admin). */
  function grantsAdmin(caller: Authorizer, scopes: readonly string[], roles: readonly string[]): boolean {
    const byWrite = new Set(grantedBy(caller, ['write']));
    return grantedBy(caller, scopes, roles).some((p) => !byWrite.has(p));
  }

  async function rolesOf(
    orgId: string,
    ids: readonly string[],
  ): Promise<ReadonlyMap<string, readonly string[]>> {
    return deps.roles === undefined ? new Map() : deps.roles.namesOf(orgId, ids);
  }

  async function view(orgId: string, id: string): Promise<ApiKeyView> {
    const row = await load(orgId, id);
    return toApiKeyView(row, clock.now(), (await rolesOf(orgId, [id])).get(id) ?? []);
  }

  /**
   * Changing or revoking another key needs api_keys:write, and api_keys:admin when that key could do something
   * the caller cannot (its scopes and roles).
   */
  async function assertMayManage(authz: Authorizer, id: string, verb: string) {
    const principal = authz.principal;
    const resource = { type: 'api_key', orgId: principal.orgId, id } as const;
    authz.assert('api_keys:write', resource);
    const row = await load(principal.orgId, id);
    if (authz.decide('api_keys:admin', resource).allowed) return row;
    const roles = (await rolesOf(principal.orgId, [id])).get(id) ?? [];
    const missing = beyondHeld(authz, row.scopes, roles);
    if (missing.length > 0) {
      throw new AppError(
        'forbidden',
        `You cannot ${verb} the key ${row.name}: it has permissions you do not have yourself ` +
          `(${missing.join(', ')}); that needs api_keys:admin.`,
      );
    }
    return row;
  }

  const managesEveryKey = (authz: Authorizer) =>
    authz.decide('api_keys:admin', { type: 'org', orgId: authz.principal.orgId }).allowed;

  /**
   * Issue 8 point 3: a key made by a key expires no later than its maker; so does one made by an OAuth client
   * that expires (issue 8 fixes, D4), and both are withdrawn with their maker (ADR 0022, amended). Undefined:
   * no bound.
   */
  async function creatorExpiry(principal: Principal): Promise<Date | null | undefined> {
    if (principal.kind === 'client') return deps.clientExpiry?.(principal.orgId, principal.id);
    if (principal.kind !== 'api_key') return undefined;
    return (await load(principal.orgId, principal.id)).expires_at;
  }

  async function load(orgId: string, id: string) {
    const row = await withTenant(db, orgId, (tx) => findApiKey(tx, orgId, id));
    if (row === undefined) throw notFound(id);
    return row;
  }

  return {
    async issue(authz, requestId, input) {
      const principal = authz.principal;
      const roles = input.roles ?? [];
      if (input.scopes.length === 0 && roles.length === 0) {
        throw new AppError('validation_failed', 'A key needs at least one scope or one role.', {
          errors: [{ pointer: '/scopes', detail: 'give at least one scope, or roles' }],
        });
      }
      if (roles.length > 0) {
        if (deps.roles === undefined) throw new Error('api-keys: keys with roles need rbac');
        await deps.roles.check(principal.orgId, roles);
      }
      // Issue 8: no credential exceeds its creator's authority; a role is authority like a scope (ADR 0037).
      for (const [what, scopes, withRoles] of [
        ...input.scopes.map((s) => [`the scope ${s}`, [s], []] as const),
        ...roles.map((r) => [`the role ${r}`, [], [r]] as const),
      ]) {
        const missing = beyondHeld(authz, scopes, withRoles);
        if (missing.length > 0) {
          throw new AppError(
            'forbidden',
            `You cannot create a key with ${what}: it grants permissions you do not have yourself ` +
              `(${missing.join(', ')}). A key's scopes and roles must be within your own.`,
          );
        }
      }
      assertRateLimitWithin(
        input.rateLimit,
        rateLimitCeiling(principal, deps.defaultRateLimit, managesEveryKey(authz)),
      );
      const now = clock.now();
      assertStepUpForAdminKey(principal, grantsAdmin(authz, input.scopes, roles), now);
      const expiresAt = withinCreator(resolveExpiry(input, now), await creatorExpiry(principal));
      const created = await keys.create(actorOf(principal, requestId), {
        name: input.name.trim(),
        description: input.description ?? '',
        scopes: input.scopes,
        roles,
        rateLimit: input.rateLimit ?? null,
        expiresAt,
      });
      return { ...(await view(principal.orgId, created.id)), token: created.token };
    },

    async list(principal, filter) {
      const limit = filter.limit ?? 50;
      const after = readKeyset(API_KEY_ORDER, filter.cursor);
      const now = clock.now();
      const rows = await withTenant(db, principal.orgId, (tx) =>
        listApiKeys(tx, principal.orgId, { state: filter.state, now, limit, after }),
      );
      const page = keysetPage(API_KEY_ORDER, rows, limit);
      const roles = await rolesOf(
        principal.orgId,
        page.items.map((r) => r.id),
      );
      return {
        items: page.items.map((r) => toApiKeyView(r, now, roles.get(r.id) ?? [])),
        nextCursor: page.nextCursor,
      };
    },

    get: (principal, id) => view(principal.orgId, id),

    async update(authz, requestId, id, input) {
      const principal = authz.principal;
      await assertMayManage(authz, id, 'change');
      assertRateLimitWithin(
        input.rateLimit,
        rateLimitCeiling(principal, deps.defaultRateLimit, managesEveryKey(authz)),
      );
      if (!(await keys.setRateLimit(actorOf(principal, requestId), id, input.rateLimit))) throw notFound(id);
      return view(principal.orgId, id);
    },

    async revoke(authz, requestId, id, opts = {}) {
      const principal = authz.principal;
      const own = principal.kind === 'api_key' && principal.id === id;
      const row = own ? await load(principal.orgId, id) : await assertMayManage(authz, id, 'revoke');
      const guard = deps.roles?.guard(authz, {
        force: opts.force === true,
        what: `revoke the API key "${row.name}" (and what it issued)`,
      });
      await keys.revoke(actorOf(principal, requestId), id, clock.now(), guard);
    },

    expiryBound: creatorExpiry,
  };
}
