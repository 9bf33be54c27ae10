import type { Selectable } from 'kysely';
import type { Queries } from '../../platform/db/index.ts';
import type { RbacTables, UsersTable } from './rbac.schema.ts';

/**
 * The sign-in view of a user row (migration 003 plus the columns of 006): rbac's door for sign-in, which keeps
 * how a user signs in on the users rbac owns (ADR 0035).
 */
export type AccountRow = Pick<
  Selectable<UsersTable>,
  | 'org_id'
  | 'id'
  | 'email'
  | 'name'
  | 'status'
  | 'idp_issuer'
  | 'idp_subject'
  | 'password_hash'
  | 'failed_logins'
  | 'next_login_at'
>;

type Q = Queries<RbacTables>;

const COLUMNS = [
  'org_id',
  'id',
  'email',
  'name',
  'status',
  'idp_issuer',
  'idp_subject',
  'password_hash',
  'failed_logins',
  'next_login_at',
] as const;

export async function findAccountById(tx: Q, orgId: string, id: string): Promise<AccountRow | undefined> {
  return tx
    .selectFrom('users')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function findAccountByEmail(
  tx: Q,
  orgId: string,
  email: string,
): Promise<AccountRow | undefined> {
  return tx
    .selectFrom('users')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function findAccountByIdp(
  tx: Q,
  orgId: string,
  issuer: string,
  subject: string,
): Promise<AccountRow | undefined> {
  return tx
    .selectFrom('users')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('idp_issuer', '=', issuer)
    .where('idp_subject', '=', subject)
    .executeTakeFirst();
}

export async function insertAccount(
  tx: Q,
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
  await tx
    .insertInto('users')
    .values({
      org_id: a.orgId,
      id: a.id,
      email: a.email.toLowerCase(),
      name: a.name,
      idp_issuer: a.idpIssuer,
      idp_subject: a.idpSubject,
      password_hash: a.passwordHash,
      created_at: a.now,
      updated_at: a.now,
    })
    .execute();
}

/** Profile from the provider's claims, and the provider identity (set when an existing user is linked). */
export async function updateFromIdp(
  tx: Q,
  a: { orgId: string; id: string; email: string; name: string; issuer: string; subject: string; now: Date },
): Promise<void> {
  await tx
    .updateTable('users')
    .set({
      email: a.email.toLowerCase(),
      name: a.name,
      idp_issuer: a.issuer,
      idp_subject: a.subject,
      updated_at: a.now,
    })
    .where('org_id', '=', a.orgId)
    .where('id', '=', a.id)
    .execute();
}

export async function recordLoginSuccess(tx: Q, orgId: string, id: string, now: Date): Promise<void> {
  await tx
    .updateTable('users')
    .set({ last_login_at: now, failed_logins: 0, next_login_at: null })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

/** Counts one failed password attempt; returns the new count (atomic under concurrent attempts). */
export async function countLoginFailure(tx: Q, orgId: string, id: string): Promise<number> {
  const r = await tx
    .updateTable('users')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1) }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returning('failed_logins')
    .executeTakeFirst();
  return r?.failed_logins ?? 0;
}

export async function setNextLoginAt(tx: Q, orgId: string, id: string, at: Date | null): Promise<void> {
  await tx
    .updateTable('users')
    .set({ next_login_at: at })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export async function setPasswordHash(tx: Q, orgId: string, id: string, hash: string, now: Date) {
  await tx
    .updateTable('users')
    .set({ password_hash: hash, updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

/** Accepting an invitation: the password, the name when given, and the status; false unless still invited. */
export async function activateInvitedAccount(
  tx: Q,
  a: { orgId: string; id: string; passwordHash: string; name: string | undefined; now: Date },
): Promise<boolean> {
  const r = await tx
    .updateTable('users')
    .set((eb) => ({
      status: 'active',
      password_hash: a.passwordHash,
      name: eb.fn.coalesce(eb.val(a.name ?? null), eb.ref('name')),
      updated_at: a.now,
    }))
    .where('org_id', '=', a.orgId)
    .where('id', '=', a.id)
    .where('status', '=', 'invited')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A first sign-in through the org's provider, with the invited email verified, accepts the invitation. */
export async function activateInvitedBySso(tx: Q, orgId: string, id: string, now: Date): Promise<void> {
  await tx
    .updateTable('users')
    .set({ status: 'active', updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', '=', 'invited')
    .execute();
}

/** Back to `invited` (a new invitation for a user who never accepted one). */
export async function markInvited(tx: Q, orgId: string, id: string, now: Date): Promise<void> {
  await tx
    .updateTable('users')
    .set({ status: 'invited', updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', '<>', 'disabled')
    .execute();
}
