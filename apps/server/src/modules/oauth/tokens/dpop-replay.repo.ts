import { sql } from 'kysely';
import type { Queries } from '../../../platform/db/index.ts';
import type { OAuthTokensTables } from './tokens.schema.ts';

type Q = Queries<OAuthTokensTables>;

/**
 * Records proof ids in one statement and returns those no process recorded before (the primary key decides, so
 * two processes racing with one proof cannot both win). Committed without waiting for the WAL flush (ADR 0017).
 * Raw: record_dpop_proofs (migration 011) is a function, so that its asynchronous commit stays its own.
 */
export async function recordDpopJtis(
  db: Q,
  proofs: readonly { key: string; expiresAt: Date }[],
): Promise<Set<string>> {
  const keys = proofs.map((p) => p.key);
  const expires = proofs.map((p) => p.expiresAt);
  const { rows } = await sql<{ key: string }>`SELECT k AS key
    FROM record_dpop_proofs(${keys}::text[], ${expires}::timestamptz[]) AS k`.execute(db);
  return new Set(rows.map((r) => r.key));
}

/** One proof id; false when it was seen before. */
export async function recordDpopJti(db: Q, key: string, expiresAt: Date): Promise<boolean> {
  return (await recordDpopJtis(db, [{ key, expiresAt }])).has(key);
}

export async function purgeDpopJtis(db: Q, before: Date): Promise<number> {
  const r = await db.deleteFrom('dpop_proofs_seen').where('expires_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
