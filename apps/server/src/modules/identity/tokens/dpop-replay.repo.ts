import { sql } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';

/**
 * Records a proof id; false when any process recorded it before (the primary key decides, so two processes
 * racing with one proof cannot both win).
 */
export async function recordDpopJti(db: Db, key: string, expiresAt: Date): Promise<boolean> {
  const { rows } = await sql<{ jti: string }>`INSERT INTO dpop_proofs_seen (jti, expires_at)
    VALUES (${key}, ${expiresAt}) ON CONFLICT (jti) DO NOTHING RETURNING jti`.execute(db);
  return rows.length === 1;
}

export async function purgeDpopJtis(db: Db, before: Date): Promise<number> {
  const r = await sql`DELETE FROM dpop_proofs_seen WHERE expires_at < ${before}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
