import { type QueryExecutorProvider, sql } from 'kysely';
import { isUuid } from '../../../kernel/index.ts';

export interface OAuthUserRow {
  org_id: string;
  id: string;
  email: string;
  name: string;
  status: string;
}

/**
 * Before the tenant is known (a token `sub` is a user id): the SECURITY DEFINER door of migration 005, which
 * reads rbac's users for the authorization server. Raw: a set-returning function, no table of ours.
 */
export async function findUserById(db: QueryExecutorProvider, id: string): Promise<OAuthUserRow | undefined> {
  if (!isUuid(id)) return undefined;
  const { rows } = await sql<OAuthUserRow>`SELECT * FROM oauth_find_user(${id}::uuid)`.execute(db);
  // Ids are UUIDv7 and unique in practice; two orgs claiming one would be ambiguous, so it is refused.
  return rows.length === 1 ? rows[0] : undefined;
}
