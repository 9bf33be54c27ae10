import { type Selectable, sql } from 'kysely';
import type { Queries } from '../../../platform/db/index.ts';
import type { OAuthTokensTables, OAuthTrustedIssuersTable } from './tokens.schema.ts';

type Q = Queries<OAuthTokensTables>;

export type TrustedIssuerRow = Pick<
  Selectable<OAuthTrustedIssuersTable>,
  'org_id' | 'id' | 'issuer' | 'audience' | 'jwks_uri'
>;

/**
 * Before the tenant is known: through the SECURITY DEFINER door of migration 005. Raw: a set-returning
 * function, which the builder has no table type for.
 */
export async function findTrustedIssuers(db: Q, issuer: string): Promise<TrustedIssuerRow[]> {
  const { rows } = await sql<TrustedIssuerRow>`SELECT * FROM auth_find_trusted_issuers(${issuer})`.execute(
    db,
  );
  return rows;
}

export async function insertTrustedIssuer(
  tx: Q,
  row: TrustedIssuerRow & { created_by: string },
): Promise<void> {
  await tx
    .insertInto('oauth_trusted_issuers')
    .values({
      org_id: row.org_id,
      id: row.id,
      issuer: row.issuer,
      audience: row.audience,
      jwks_uri: row.jwks_uri,
      created_by: row.created_by,
    })
    .execute();
}

export async function deleteTrustedIssuer(tx: Q, orgId: string, id: string): Promise<boolean> {
  const r = await tx
    .deleteFrom('oauth_trusted_issuers')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listTrustedIssuers(tx: Q, orgId: string): Promise<TrustedIssuerRow[]> {
  return tx
    .selectFrom('oauth_trusted_issuers')
    .select(['org_id', 'id', 'issuer', 'audience', 'jwks_uri'])
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .execute();
}
