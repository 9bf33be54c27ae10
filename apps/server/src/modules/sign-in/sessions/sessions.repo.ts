import { sql } from 'kysely';
import type { Queries } from '../../../platform/db/index.ts';
import type { SessionMethod } from '../accounts/sign-in-audit.ts';
import type { SignInSessionsTables } from './sessions.schema.ts';

type Q = Queries<SignInSessionsTables>;

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

/**
 * Before the tenant is known: through the definer door of migration 006. Raw: a set-returning function, which
 * the builder has no table type for.
 */
export async function findSessionByHash(db: Q, hash: Buffer): Promise<SessionLookup | undefined> {
  const { rows } = await sql<SessionLookup>`SELECT * FROM auth_find_session(${hash})`.execute(db);
  return rows[0];
}

export async function insertSession(
  tx: Q,
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
  await tx
    .insertInto('sessions')
    .values({
      org_id: s.orgId,
      id: s.id,
      user_id: s.userId,
      token_hash: s.tokenHash,
      method: s.method,
      created_at: s.createdAt,
      expires_at: s.expiresAt,
      last_seen_at: s.createdAt,
      auth_time: s.authTime,
      ip: s.ip,
      user_agent: s.userAgent,
    })
    .execute();
}

export async function touchSession(tx: Q, orgId: string, id: string, now: Date): Promise<void> {
  await tx
    .updateTable('sessions')
    .set({ last_seen_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('last_seen_at', '<', now)
    .execute();
}

/** Ends a session; true when it was still open. */
export async function revokeSession(tx: Q, orgId: string, id: string, now: Date): Promise<boolean> {
  const r = await tx
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function setAuthTime(tx: Q, orgId: string, id: string, at: Date): Promise<void> {
  await tx
    .updateTable('sessions')
    .set({ auth_time: at, last_seen_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Ends every open session of a user (deactivation); returns how many were open. */
export async function revokeUserSessions(tx: Q, orgId: string, userId: string, now: Date): Promise<number> {
  const r = await tx
    .updateTable('sessions')
    .set({ revoked_at: now })
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
