import { type Selectable, sql } from 'kysely';
import { type KeysetKey, keysetOrder } from '../../kernel/index.ts';
import { findOwned, isUniqueViolation, paginateByKeyset, type Queries } from '../../platform/db/index.ts';
import type { RbacTables, UserStatus, UsersTable } from './rbac.schema.ts';

type Q = Queries<RbacTables>;

export type UserRow = Pick<
  Selectable<UsersTable>,
  'org_id' | 'id' | 'email' | 'name' | 'status' | 'created_at' | 'updated_at' | 'last_login_at'
>;

// Named columns, not selectAll: sign-in adds columns (password hash) that must never reach a view.
const COLUMNS = [
  'org_id',
  'id',
  'email',
  'name',
  'status',
  'created_at',
  'updated_at',
  'last_login_at',
] as const;

export async function insertUser(
  tx: Q,
  row: { org_id: string; id: string; email: string; name: string; created_at: Date; status?: UserStatus },
): Promise<void> {
  await tx
    .insertInto('users')
    .values({ ...row, updated_at: row.created_at })
    .execute();
}

export async function findUser(tx: Q, orgId: string, id: string): Promise<UserRow | undefined> {
  return findOwned(tx, { table: 'users', orgId, id }, () =>
    tx
      .selectFrom('users')
      .select(COLUMNS)
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst(),
  );
}

/** Sets the status; false when the user does not exist. */
export async function setUserStatus(
  tx: Q,
  orgId: string,
  id: string,
  status: UserStatus,
  now: Date,
): Promise<boolean> {
  const r = await tx
    .updateTable('users')
    .set({ status, updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function findUserStatus(
  tx: Q,
  orgId: string,
  id: string,
): Promise<UserRow['status'] | undefined> {
  const r = await tx
    .selectFrom('users')
    .select('status')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return r?.status;
}

export interface UserFilter {
  q?: string | undefined;
  status?: UserStatus | undefined;
  roleId?: string | undefined;
  limit: number;
  after: KeysetKey | undefined;
}

/** The order users are listed and paged in: by email. */
export const USER_ORDER = keysetOrder({ email: 'text', id: 'uuid' }, 'asc');

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function listUsers(tx: Q, orgId: string, f: UserFilter): Promise<UserRow[]> {
  let q = tx.selectFrom('users').select(COLUMNS).where('org_id', '=', orgId);
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.q !== undefined && f.q !== '') {
    const pattern = `%${escapeLike(f.q.toLowerCase())}%`;
    q = q.where((eb) => eb.or([eb('email', 'like', pattern), eb(sql`lower(name)`, 'like', pattern)]));
  }
  if (f.roleId !== undefined) {
    const roleId = f.roleId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom('role_assignments as a')
          .select(sql`1`.as('one'))
          .whereRef('a.org_id', '=', 'users.org_id')
          .where('a.principal_type', '=', 'user')
          .where('a.principal_id', '=', sql<string>`users.id::text`)
          .where('a.role_id', '=', roleId),
      ),
    );
  }
  return paginateByKeyset(q, USER_ORDER, f).execute();
}

/** Postgres unique_violation on the email: the race the pre-check cannot close. */
export const isEmailConflict = (e: unknown): boolean => isUniqueViolation(e, 'users_email_per_org');
