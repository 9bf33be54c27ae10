import { sql } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';

export interface OrgForLogin {
  id: string;
  slug: string;
  sso_configured: boolean;
}

/** Sign-in names the org by slug before a tenant is set: through the definer door of migration 006. */
export async function findOrgForLogin(db: Db, slug: string): Promise<OrgForLogin | undefined> {
  const { rows } = await sql<OrgForLogin>`SELECT * FROM auth_find_org_for_login(${slug})`.execute(db);
  return rows[0];
}
