import { type QueryExecutorProvider, sql } from 'kysely';

export interface OrgForLogin {
  id: string;
  slug: string;
  sso_configured: boolean;
}

/**
 * Sign-in names the org by slug before a tenant is set: through the definer door of migration 006, which reads
 * tenancy's orgs for sign-in. Raw: a set-returning function, no table of ours.
 */
export async function findOrgForLogin(
  db: QueryExecutorProvider,
  slug: string,
): Promise<OrgForLogin | undefined> {
  const { rows } = await sql<OrgForLogin>`SELECT * FROM auth_find_org_for_login(${slug})`.execute(db);
  return rows[0];
}
