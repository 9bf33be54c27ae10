import type { ColumnType, Generated } from 'kysely';
import type { Timestamp } from '../../platform/db/index.ts';

/** `invited` until the invitation is accepted; `disabled` once deactivated (migration 023). */
export type UserStatus = 'invited' | 'active' | 'disabled';

/**
 * Migration 003, and 006's sign-in columns (idp_*, password_hash, failed_logins, next_login_at). rbac keeps the
 * directory of users; sign-in reads and writes its columns through rbac's door (accounts.repo.ts), and views
 * never select them.
 */
export interface UsersTable {
  org_id: string;
  id: string;
  email: string;
  name: Generated<string>;
  status: ColumnType<UserStatus, UserStatus | undefined, UserStatus>;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_login_at: Timestamp | null;
  idp_issuer: string | null;
  idp_subject: string | null;
  password_hash: string | null;
  failed_logins: Generated<number>;
  next_login_at: Timestamp | null;
}

/** Migration 003. */
export interface RolesTable {
  org_id: string;
  id: string;
  name: string;
  description: Generated<string>;
  built_in: Generated<boolean>;
  extends_role_id: string | null;
  permissions: string[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Migration 003: users and OAuth clients (by client_id) holding roles; API keys too since migration 022. */
export interface RoleAssignmentsTable {
  org_id: string;
  principal_type: 'user' | 'client' | 'api_key';
  principal_id: string;
  role_id: string;
  created_at: Timestamp;
  created_by: string;
}

/** The tables rbac owns: no other module names them (ADR 0035). */
export interface RbacTables {
  users: UsersTable;
  roles: RolesTable;
  role_assignments: RoleAssignmentsTable;
}
