import { sql } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';

/**
 * Records proof ids in one statement and returns those no process recorded before (the primary key decides, so
 * two processes racing with one proof cannot both win). Committed without waiting for the WAL flush (ADR 0017).
 */
export async function recordDpopJtis(
  db: Db,
  proofs: readonly { key: string; expiresAt: Date }[],
): Promise<Set<string>> {
  const keys = proofs.map((p) => p.key);
  const expires = proofs.map((p) => p.expiresAt);
  const { rows } = await sql<{ key: string }>`SELECT k AS key
    FROM record_dpop_proofs(${keys}::text[], ${expires}::timestamptz[]) AS k`.execute(db);
  return new Set(rows.map((r) => r.key));
}

/** One proof id; false when it was seen before. */
export async function recordDpopJti(db: Db, key: string, expiresAt: Date): Promise<boolean> {
  return (await recordDpopJtis(db, [{ key, expiresAt }])).has(key);
}

export async function purgeDpopJtis(db: Db, before: Date): Promise<number> {
  const r = await sql`DELETE FROM dpop_proofs_seen WHERE expires_at < ${before}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
