import { sql } from 'kysely';
import type { Db, Tx } from '../../../platform/db/index.ts';
import type { SessionMethod } from '../accounts/sign-in-audit.ts';

export type { SessionMethod };

export interface SessionLookup {
  org_id: string;
  org_slug: string;
  id: string;
  user_id: string;
  method: SessionMethod;
  expires_at: Date;
  last_seen_at: Date;
  auth_time: Date;
  revoked_at: Date | null;
}

/** Before the tenant is known: through the definer door of migration 006. */
export async function findSessionByHash(db: Db, hash: Buffer): Promise<SessionLookup | undefined> {
  const { rows } = await sql<SessionLookup>`SELECT * FROM auth_find_session(${hash})`.execute(db);
  return rows[0];
}

export async function insertSession(
  tx: Tx,
  s: {
    orgId: string;
    id: string;
    userId: string;
    tokenHash: Buffer;
    method: SessionMethod;
    createdAt: Date;
    expiresAt: Date;
    authTime: Date;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<void> {
  await sql`
    INSERT INTO sessions (org_id, id, user_id, token_hash, method, created_at, expires_at, last_seen_at,
                          auth_time, ip, user_agent)
    VALUES (${s.orgId}, ${s.id}, ${s.userId}, ${s.tokenHash}, ${s.method}, ${s.createdAt}, ${s.expiresAt},
            ${s.createdAt}, ${s.authTime}, ${s.ip}, ${s.userAgent})`.execute(tx);
}

export async function touchSession(tx: Tx, orgId: string, id: string, now: Date): Promise<void> {
  await sql`UPDATE sessions SET last_seen_at = ${now}
            WHERE org_id = ${orgId} AND id = ${id} AND last_seen_at < ${now}`.execute(tx);
}

/** Ends a session; true when it was still open. */
export async function revokeSession(tx: Tx, orgId: string, id: string, now: Date): Promise<boolean> {
  const r = await sql`UPDATE sessions SET revoked_at = ${now}
                      WHERE org_id = ${orgId} AND id = ${id} AND revoked_at IS NULL`.execute(tx);
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function setAuthTime(tx: Tx, orgId: string, id: string, at: Date): Promise<void> {
  await sql`UPDATE sessions SET auth_time = ${at}, last_seen_at = ${at}
            WHERE org_id = ${orgId} AND id = ${id} AND revoked_at IS NULL`.execute(tx);
}
