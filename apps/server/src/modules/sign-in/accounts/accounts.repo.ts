import { sql } from 'kysely';
import type { Tx } from '../../../platform/db/index.ts';

/** The sign-in view of a user row (migration 003 plus the columns of 006). */
export interface AccountRow {
  org_id: string;
  id: string;
  email: string;
  name: string;
  status: 'active' | 'disabled';
  idp_issuer: string | null;
  idp_subject: string | null;
  password_hash: string | null;
  failed_logins: number;
  next_login_at: Date | null;
}

const COLUMNS = sql.raw(
  'org_id, id, email, name, status, idp_issuer, idp_subject, password_hash, failed_logins, next_login_at',
);

export async function findAccountById(tx: Tx, orgId: string, id: string): Promise<AccountRow | undefined> {
  const { rows } = await sql<AccountRow>`SELECT ${COLUMNS} FROM users
                                        WHERE org_id = ${orgId} AND id = ${id}`.execute(tx);
  return rows[0];
}

export async function findAccountByEmail(
  tx: Tx,
  orgId: string,
  email: string,
): Promise<AccountRow | undefined> {
  const { rows } = await sql<AccountRow>`SELECT ${COLUMNS} FROM users
                                        WHERE org_id = ${orgId} AND email = ${email.toLowerCase()}`.execute(
    tx,
  );
  return rows[0];
}

export async function findAccountByIdp(
  tx: Tx,
  orgId: string,
  issuer: string,
  subject: string,
): Promise<AccountRow | undefined> {
  const { rows } = await sql<AccountRow>`SELECT ${COLUMNS} FROM users
    WHERE org_id = ${orgId} AND idp_issuer = ${issuer} AND idp_subject = ${subject}`.execute(tx);
  return rows[0];
}

export async function insertAccount(
  tx: Tx,
  a: {
    orgId: string;
    id: string;
    email: string;
    name: string;
    idpIssuer: string | null;
    idpSubject: string | null;
    passwordHash: string | null;
    now: Date;
  },
): Promise<void> {
  await sql`INSERT INTO users (org_id, id, email, name, idp_issuer, idp_subject, password_hash, created_at,
                               updated_at)
            VALUES (${a.orgId}, ${a.id}, ${a.email.toLowerCase()}, ${a.name}, ${a.idpIssuer}, ${a.idpSubject},
                    ${a.passwordHash}, ${a.now}, ${a.now})`.execute(tx);
}

/** Profile from the provider's claims, and the provider identity (set when an existing user is linked). */
export async function updateFromIdp(
  tx: Tx,
  a: { orgId: string; id: string; email: string; name: string; issuer: string; subject: string; now: Date },
): Promise<void> {
  await sql`UPDATE users SET email = ${a.email.toLowerCase()}, name = ${a.name}, idp_issuer = ${a.issuer},
                             idp_subject = ${a.subject}, updated_at = ${a.now}
            WHERE org_id = ${a.orgId} AND id = ${a.id}`.execute(tx);
}

export async function recordLoginSuccess(tx: Tx, orgId: string, id: string, now: Date): Promise<void> {
  await sql`UPDATE users SET last_login_at = ${now}, failed_logins = 0, next_login_at = NULL
            WHERE org_id = ${orgId} AND id = ${id}`.execute(tx);
}

/** Counts one failed password attempt; returns the new count (atomic under concurrent attempts). */
export async function countLoginFailure(tx: Tx, orgId: string, id: string): Promise<number> {
  const { rows } = await sql<{ failed_logins: number }>`UPDATE users SET failed_logins = failed_logins + 1
    WHERE org_id = ${orgId} AND id = ${id} RETURNING failed_logins`.execute(tx);
  return rows[0]?.failed_logins ?? 0;
}

export async function setNextLoginAt(tx: Tx, orgId: string, id: string, at: Date | null): Promise<void> {
  await sql`UPDATE users SET next_login_at = ${at} WHERE org_id = ${orgId} AND id = ${id}`.execute(tx);
}

export async function setPasswordHash(tx: Tx, orgId: string, id: string, hash: string, now: Date) {
  await sql`UPDATE users SET password_hash = ${hash}, updated_at = ${now}
            WHERE org_id = ${orgId} AND id = ${id}`.execute(tx);
}
