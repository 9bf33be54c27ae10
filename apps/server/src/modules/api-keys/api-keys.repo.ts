import { type Selectable, sql } from 'kysely';
import { type KeysetKey, keysetOrder } from '../../kernel/index.ts';
import { findOwned, paginateByKeyset, type Queries } from '../../platform/db/index.ts';
import type { ApiKeysTable, ApiKeysTables } from './api-keys.schema.ts';

type Q = Queries<ApiKeysTables>;

export interface ApiKeyLookup {
  org_id: string;
  id: string;
  secret_hash: Buffer;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  name: string;
  rate_limit: number | null;
}

/**
 * Before the tenant is known: through the one SECURITY DEFINER door (migration 001). Raw: a set-returning
 * function, which the builder has no table type for.
 */
export async function findApiKeyByPrefix(db: Q, prefix: string): Promise<ApiKeyLookup | undefined> {
  const { rows } = await sql<ApiKeyLookup>`SELECT * FROM auth_find_api_key(${prefix})`.execute(db);
  return rows[0];
}

export async function insertApiKey(
  tx: Q,
  k: {
    orgId: string;
    id: string;
    prefix: string;
    secretHash: Buffer;
    name: string;
    description: string;
    scopes: string[];
    createdBy: string;
    expiresAt: Date | null;
    rateLimit: number | null;
  },
) {
  await tx
    .insertInto('api_keys')
    .values({
      org_id: k.orgId,
      id: k.id,
      prefix: k.prefix,
      secret_hash: k.secretHash,
      name: k.name,
      description: k.description,
      scopes: k.scopes,
      created_by: k.createdBy,
      expires_at: k.expiresAt,
      rate_limit: k.rateLimit,
    })
    .execute();
}

export async function countApiKeys(tx: Q, orgId: string): Promise<number> {
  const row = await tx
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Keys neither revoked nor expired at `now` (the `api_keys` quota's usage). */
export async function countActiveApiKeys(tx: Q, orgId: string, now: Date): Promise<number> {
  const row = await tx
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export type ApiKeyRow = Omit<Selectable<ApiKeysTable>, 'secret_hash'>;

/** Every column but the secret's hash, which never leaves verification. */
const VIEW_COLUMNS = [
  'org_id',
  'id',
  'prefix',
  'name',
  'description',
  'scopes',
  'created_by',
  'created_at',
  'expires_at',
  'last_used_at',
  'revoked_at',
  'expiry_notified_at',
  'rate_limit',
] as const;

export async function findApiKey(tx: Q, orgId: string, id: string): Promise<ApiKeyRow | undefined> {
  return findOwned(tx, { table: 'api_keys', orgId, id }, () =>
    tx
      .selectFrom('api_keys')
      .select(VIEW_COLUMNS)
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst(),
  );
}

export interface ApiKeyListFilter {
  state?: 'active' | 'expired' | 'revoked' | undefined;
  now: Date;
  limit: number;
  after: KeysetKey | undefined;
}

/** The order keys are listed and paged in: newest first. */
export const API_KEY_ORDER = keysetOrder({ created_at: 'timestamp', id: 'uuid' }, 'desc');

export async function listApiKeys(tx: Q, orgId: string, f: ApiKeyListFilter): Promise<ApiKeyRow[]> {
  let q = tx.selectFrom('api_keys').select(VIEW_COLUMNS).where('org_id', '=', orgId);
  if (f.state === 'revoked') q = q.where('revoked_at', 'is not', null);
  if (f.state === 'expired') q = q.where('revoked_at', 'is', null).where('expires_at', '<=', f.now);
  if (f.state === 'active') {
    q = q
      .where('revoked_at', 'is', null)
      .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', f.now)]));
  }
  return paginateByKeyset(q, API_KEY_ORDER, f).execute();
}

/** Sets a key's own rate limit; returns the one it had, or undefined when the org has no such key. */
export async function updateApiKeyRateLimit(
  tx: Q,
  orgId: string,
  id: string,
  rateLimit: number | null,
): Promise<{ rateLimit: number | null } | undefined> {
  const before = await tx
    .selectFrom('api_keys')
    .select('rate_limit')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (before === undefined) return undefined;
  await tx
    .updateTable('api_keys')
    .set({ rate_limit: rateLimit })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
  return { rateLimit: before.rate_limit };
}

/** Keys neither revoked nor expired at `now`: who they are and what their scopes grant (ADR 0037). */
export async function listLiveApiKeys(
  tx: Q,
  orgId: string,
  now: Date,
): Promise<{ id: string; name: string; scopes: string[] }[]> {
  return tx
    .selectFrom('api_keys')
    .select(['id', 'name', 'scopes'])
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at')
    .execute();
}

/**
 * Sets revoked_at once. Returns undefined when this call did not revoke it (it already was), else whether the
 * key was active until now (not expired), i.e. whether it held a slot of the `api_keys` quota.
 */
export async function revokeApiKey(
  tx: Q,
  orgId: string,
  id: string,
  at: Date,
): Promise<{ wasActive: boolean } | undefined> {
  const r = await tx
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning('expires_at')
    .executeTakeFirst();
  if (r === undefined) return undefined;
  return { wasActive: r.expires_at === null || r.expires_at.getTime() > at.getTime() };
}

/**
 * Revokes every active key `creator` made (`client:<id>`, `api_key:<id>`), and every key those keys made, down
 * the chain: a credential may not outlive the authority it was minted with (issue 8 point 3). Returns the ids.
 */
export async function revokeKeysIssuedBy(tx: Q, orgId: string, creator: string, at: Date): Promise<string[]> {
  // Raw: a recursive CTE feeding an UPDATE, which the builder's typed `withRecursive` cannot hand a Queries.
  const { rows } = await sql<{ id: string }>`
    WITH RECURSIVE issued (id) AS (
      SELECT id FROM api_keys WHERE org_id = ${orgId} AND created_by = ${creator}
      UNION
      SELECT k.id FROM api_keys k JOIN issued i ON k.created_by = 'api_key:' || i.id::text
      WHERE k.org_id = ${orgId}
    )
    UPDATE api_keys SET revoked_at = ${at}
    WHERE org_id = ${orgId} AND id IN (SELECT id FROM issued) AND revoked_at IS NULL
    RETURNING id`.execute(tx);
  return rows.map((r) => r.id);
}

/**
 * Across orgs, through the definer door of migration 004: keys expiring in (now, until] not yet announced.
 * Raw: a set-returning function.
 */
export async function findExpiringApiKeys(
  db: Q,
  now: Date,
  until: Date,
): Promise<{ org_id: string; id: string }[]> {
  const { rows } = await sql<{
    org_id: string;
    id: string;
  }>`SELECT * FROM api_keys_expiring(${now}, ${until})`.execute(db);
  return rows;
}

/** Marks the keys announced, once: returns only those this call marked (a concurrent run gets the rest). */
export async function markExpiryNotified(
  tx: Q,
  orgId: string,
  ids: readonly string[],
  now: Date,
  until: Date,
): Promise<ApiKeyRow[]> {
  if (ids.length === 0) return [];
  return tx
    .updateTable('api_keys')
    .set({ expiry_notified_at: now })
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .where('expiry_notified_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .where('expires_at', '<=', until)
    .returning(VIEW_COLUMNS)
    .execute();
}
