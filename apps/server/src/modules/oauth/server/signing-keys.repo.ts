import { sql } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';

export interface SigningKeyRow {
  kid: string;
  alg: 'ES256' | 'RS256';
  state: 'active' | 'retiring' | 'retired';
  public_jwk: Record<string, unknown>;
  private_jwk: Buffer;
  created_at: Date;
}

const ROTATION_LOCK = 7_300_214_005; // pg_advisory_xact_lock key: one key generation at a time across processes

/** Keys that verify (active and retiring), newest first within each state. */
export async function listPublishedKeys(db: Db): Promise<SigningKeyRow[]> {
  const { rows } = await sql<SigningKeyRow>`SELECT kid, alg, state, public_jwk, private_jwk, created_at
    FROM oauth_signing_keys WHERE state IN ('active', 'retiring')
    ORDER BY (state = 'active') DESC, created_at DESC`.execute(db);
  return rows;
}

/**
 * Under one advisory lock: `needs(activeAlgs)` says which algorithms to (re)key given those with an active key;
 * their current active key becomes `retiring` and the new one `active`. Two processes starting at once make
 * one key per algorithm, not two.
 */
export async function installKeys(
  db: Db,
  needs: (activeAlgs: string[]) => string[],
  make: (alg: string) => Promise<{ kid: string; publicJwk: Record<string, unknown>; privateJwk: Buffer }>,
  now: Date,
): Promise<string[]> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${ROTATION_LOCK})`.execute(tx);
    const { rows } = await sql<{ alg: string }>`SELECT alg FROM oauth_signing_keys
      WHERE state = 'active'`.execute(tx);
    const made: string[] = [];
    for (const alg of needs(rows.map((r) => r.alg))) {
      const k = await make(alg);
      await sql`UPDATE oauth_signing_keys SET state = 'retiring', rotated_at = ${now}
        WHERE alg = ${alg} AND state = 'active'`.execute(tx);
      await sql`INSERT INTO oauth_signing_keys (kid, alg, state, public_jwk, private_jwk, created_at)
        VALUES (${k.kid}, ${alg}, 'active', ${JSON.stringify(k.publicJwk)}::jsonb, ${k.privateJwk}, ${now})`.execute(
        tx,
      );
      made.push(k.kid);
    }
    return made;
  });
}

/** Stops a retiring key from verifying: it leaves the JWKS. An active key cannot be retired (rotate first). */
export async function retireKey(db: Db, kid: string, now: Date): Promise<boolean> {
  const r = await sql`UPDATE oauth_signing_keys SET state = 'retired', retired_at = ${now}
    WHERE kid = ${kid} AND state = 'retiring'`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** A fingerprint of the published key set, polled by other processes to notice a rotation. */
export async function keySetVersion(db: Db): Promise<string> {
  const { rows } = await sql<{
    v: string;
  }>`SELECT coalesce(string_agg(kid || ':' || state, ',' ORDER BY kid), '')
    AS v FROM oauth_signing_keys WHERE state IN ('active', 'retiring')`.execute(db);
  return rows[0]?.v ?? '';
}
