import { sql } from 'kysely';
import type { Queries } from '../../platform/db/index.ts';
import type { IdempotencyTables } from './idempotency.schema.ts';

type Q = Queries<IdempotencyTables>;

export interface KeyId {
  orgId: string;
  principal: string;
  key: string;
}

export interface NewClaim extends KeyId {
  fingerprint: Buffer;
  method: string;
  path: string;
  claimId: string;
  lockedUntil: Date;
  createdAt: Date;
  expiresAt: Date;
}

/** Inserts the claim unless the key has a row already; true when this call inserted it. */
export async function insertClaim(tx: Q, c: NewClaim): Promise<boolean> {
  const row = await tx
    .insertInto('idempotency_keys')
    .values({
      org_id: c.orgId,
      principal: c.principal,
      key: c.key,
      fingerprint: c.fingerprint,
      method: c.method,
      path: c.path,
      state: 'in_flight',
      claim_id: c.claimId,
      locked_until: c.lockedUntil,
      status: null,
      response: null,
      created_at: c.createdAt,
      expires_at: c.expiresAt,
    })
    .onConflict((oc) => oc.columns(['org_id', 'principal', 'key']).doNothing())
    .returning('claim_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The key's row, locked to the end of the transaction (a takeover decides on what it read). */
export async function findForUpdate(tx: Q, id: KeyId) {
  return tx
    .selectFrom('idempotency_keys')
    .select(['fingerprint', 'method', 'path', 'state', 'locked_until', 'status', 'response', 'expires_at'])
    .where('org_id', '=', id.orgId)
    .where('principal', '=', id.principal)
    .where('key', '=', id.key)
    .forUpdate()
    .executeTakeFirst();
}

/** Makes the row a fresh claim: the key expired, or the claim before was abandoned (its process died). */
export async function replaceWithClaim(tx: Q, c: NewClaim): Promise<void> {
  await tx
    .updateTable('idempotency_keys')
    .set({
      fingerprint: c.fingerprint,
      method: c.method,
      path: c.path,
      state: 'in_flight',
      claim_id: c.claimId,
      locked_until: c.lockedUntil,
      status: null,
      response: null,
      created_at: c.createdAt,
      expires_at: c.expiresAt,
    })
    .where('org_id', '=', c.orgId)
    .where('principal', '=', c.principal)
    .where('key', '=', c.key)
    .execute();
}

/** Stores the answer of the claim `claimId`; false when the claim is no longer this one (taken over). */
export async function completeClaim(
  tx: Q,
  id: KeyId,
  claimId: string,
  answer: { status: number; response: Buffer },
): Promise<boolean> {
  const r = await tx
    .updateTable('idempotency_keys')
    .set({ state: 'done', status: answer.status, response: answer.response, locked_until: null })
    .where('org_id', '=', id.orgId)
    .where('principal', '=', id.principal)
    .where('key', '=', id.key)
    .where('claim_id', '=', claimId)
    .where('state', '=', 'in_flight')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Forgets the claim `claimId`, so that a retry runs the request again. */
export async function deleteClaim(tx: Q, id: KeyId, claimId: string): Promise<void> {
  await tx
    .deleteFrom('idempotency_keys')
    .where('org_id', '=', id.orgId)
    .where('principal', '=', id.principal)
    .where('key', '=', id.key)
    .where('claim_id', '=', claimId)
    .where('state', '=', 'in_flight')
    .execute();
}

/**
 * Deletes up to `limit` keys of any org that expired by the database's clock (migration 016's definer door).
 * Raw: a definer function, which alone may cross orgs.
 */
export async function purgeExpired(db: Q, limit: number): Promise<number> {
  const r = await sql<{ n: number }>`SELECT purge_expired_idempotency_keys(${limit}) AS n`.execute(db);
  return r.rows[0]?.n ?? 0;
}
