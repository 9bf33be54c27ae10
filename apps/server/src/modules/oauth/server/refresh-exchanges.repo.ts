import { sql } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';

export interface RefreshExchangeRow {
  client_id: string;
  client_auth_hash: Buffer;
  dpop_jkt: string | null;
  started_at: Date;
  completed_at: Date | null;
  response: Buffer | null;
}

export async function findExchange(db: Db, tokenHash: Buffer): Promise<RefreshExchangeRow | undefined> {
  const { rows } = await sql<RefreshExchangeRow>`SELECT client_id, client_auth_hash, dpop_jkt, started_at,
    completed_at, response FROM oauth_refresh_exchanges WHERE token_hash = ${tokenHash}`.execute(db);
  return rows[0];
}

/** The first request for a refresh token claims it; false when another request (any process) already has. */
export async function claimExchange(
  db: Db,
  e: {
    tokenHash: Buffer;
    clientId: string;
    authHash: Buffer;
    jkt: string | null;
    now: Date;
    expiresAt: Date;
  },
): Promise<boolean> {
  const { rows } = await sql`INSERT INTO oauth_refresh_exchanges
      (token_hash, client_id, client_auth_hash, dpop_jkt, started_at, expires_at)
    VALUES (${e.tokenHash}, ${e.clientId}, ${e.authHash}, ${e.jkt}, ${e.now}, ${e.expiresAt})
    ON CONFLICT (token_hash) DO NOTHING RETURNING token_hash`.execute(db);
  return rows.length === 1;
}

export async function completeExchange(
  db: Db,
  tokenHash: Buffer,
  c: { response: Buffer; grantId: string | null; now: Date; expiresAt: Date },
): Promise<void> {
  await sql`UPDATE oauth_refresh_exchanges SET response = ${c.response}, grant_id = ${c.grantId},
    completed_at = ${c.now}, expires_at = ${c.expiresAt} WHERE token_hash = ${tokenHash}`.execute(db);
}

/** A claim whose request failed (nothing rotated) or whose process died: the next request may try again. */
export async function dropExchange(db: Db, tokenHash: Buffer): Promise<void> {
  await sql`DELETE FROM oauth_refresh_exchanges WHERE token_hash = ${tokenHash}`.execute(db);
}

export async function purgeExchanges(db: Db, before: Date): Promise<number> {
  const r = await sql`DELETE FROM oauth_refresh_exchanges WHERE expires_at < ${before}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
