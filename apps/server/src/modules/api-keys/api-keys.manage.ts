import type { ApiKeyView, CreateApiKeyInput, ListApiKeysFilter } from '@sprintconnect/contracts';
import type { Clock } from '../../kernel/index.ts';
import { AppError, keysetPage, readKeyset, systemClock } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { Authorizer, Permission } from '../authz/index.ts';
import type { Principal } from '../identity/index.ts';
import { actorOf } from '../identity/index.ts';
import { API_KEY_ORDER, findApiKey, listApiKeys } from './api-keys.repo.ts';
import { assertStepUpForAdminKey, resolveExpiry, toApiKeyView, withinCreator } from './api-keys.rules.ts';
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
  /** Revokes (idempotent). A key may always revoke itself; other keys need api_keys:write and the no-broader rule. */
  revoke(authz: Authorizer, requestId: string, id: string): Promise<void>;
  /**
   * The latest expiry a credential made by `principal` may have: its own key's or OAuth client's expiry (a
   * date), null when it never expires, undefined when nothing bounds it (issue 8 point 3 and its fixes, D4).
   */
  expiryBound(principal: Principal): Promise<Date | null | undefined>;
}

const notFound = (id: string) => new AppError('api_key_not_found', `No API key ${id} in this organization.`);

export function createApiKeyManagement(deps: {
  db: Db;
  keys: ApiKeyService;
  clock?: Clock;
  /** An OAuth client's expiry (null: never; undefined: not a client of this org). */
  clientExpiry?: (orgId: string, clientId: string) => Promise<Date | null | undefined>;
}): ApiKeyManagement {
  const { db, keys } = deps;
  const clock = deps.clock ?? systemClock;

  /**
   * The permissions a key with `scopes` would have: exactly what its authorizer would let it do, decided on the
   * caller's org policy set (the set the key will be decided on).
   */
  function grantedBy(caller: Authorizer, scopes: readonly string[]): readonly Permission[] {
    return caller
      .about({
        kind: 'api_key',
        id: 'candidate',
        orgId: caller.principal.orgId,
        name: 'candidate',
        scopes,
        roles: [],
        authMethod: 'api_key',
      })
      .held();
  }

  /** What a key with `scopes` could do that the caller cannot, in catalogue order. */
  function beyondHeld(authz: Authorizer, scopes: readonly string[]): string[] {
    const held = new Set(authz.held());
    return grantedBy(authz, scopes).filter((p) => !held.has(p));
  }

  /** Admin-level: it grants a permission that the plain `write` scope does not (e.g. api_keys:admin). */
  function grantsAdmin(caller: Authorizer, scopes: readonly string[]): boolean {
    const byWrite = new Set(grantedBy(caller, ['write']));
    return grantedBy(caller, scopes).some((p) => !byWrite.has(p));
  }

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
      for (const scope of input.scopes) {
        const missing = beyondHeld(authz, [scope]);
        if (missing.length > 0) {
          throw new AppError(
            'forbidden',
            `You cannot create a key with the scope ${scope}: it grants permissions you do not have yourself ` +
              `(${missing.join(', ')}). A key's scopes must be within your own.`,
          );
        }
      }
      const now = clock.now();
      assertStepUpForAdminKey(principal, grantsAdmin(authz, input.scopes), now);
      const expiresAt = withinCreator(resolveExpiry(input, now), await creatorExpiry(principal));
      const created = await keys.create(actorOf(principal, requestId), {
        name: input.name.trim(),
        description: input.description ?? '',
        scopes: input.scopes,
        expiresAt,
      });
      const row = await load(principal.orgId, created.id);
      return { ...toApiKeyView(row, now), token: created.token };
    },

    async list(principal, filter) {
      const limit = filter.limit ?? 50;
      const after = readKeyset(API_KEY_ORDER, filter.cursor);
      const now = clock.now();
      const rows = await withTenant(db, principal.orgId, (tx) =>
        listApiKeys(tx, principal.orgId, { state: filter.state, now, limit, after }),
      );
      const page = keysetPage(API_KEY_ORDER, rows, limit);
      return { items: page.items.map((r) => toApiKeyView(r, now)), nextCursor: page.nextCursor };
    },

    async get(principal, id) {
      return toApiKeyView(await load(principal.orgId, id), clock.now());
    },

    async revoke(authz, requestId, id) {
      const principal = authz.principal;
      const own = principal.kind === 'api_key' && principal.id === id;
      const resource = { type: 'api_key', orgId: principal.orgId, id } as const;
      if (!own) authz.assert('api_keys:write', resource);
      const row = await load(principal.orgId, id);
      if (!own && !authz.decide('api_keys:admin', resource).allowed) {
        const missing = beyondHeld(authz, row.scopes);
        if (missing.length > 0) {
          throw new AppError(
            'forbidden',
            `You cannot revoke the key ${row.name}: it has permissions you do not have yourself ` +
              `(${missing.join(', ')}); revoking it needs api_keys:admin.`,
          );
        }
      }
      await keys.revoke(actorOf(principal, requestId), id, clock.now());
    },

    expiryBound: creatorExpiry,
  };
}
