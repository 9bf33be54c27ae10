import { sql } from 'kysely';
import type { Db, Tx } from '../../../platform/db/index.ts';

export interface TrustedIssuerRow {
  org_id: string;
  id: string;
  issuer: string;
  audience: string;
  jwks_uri: string;
}

/** Before the tenant is known: through the SECURITY DEFINER door of migration 005. */
export async function findTrustedIssuers(db: Db, issuer: string): Promise<TrustedIssuerRow[]> {
  const { rows } = await sql<TrustedIssuerRow>`SELECT * FROM auth_find_trusted_issuers(${issuer})`.execute(
    db,
  );
  return rows;
}

export async function insertTrustedIssuer(
  tx: Tx,
  row: TrustedIssuerRow & { created_by: string },
): Promise<void> {
  await sql`INSERT INTO oauth_trusted_issuers (org_id, id, issuer, audience, jwks_uri, created_by)
    VALUES (${row.org_id}, ${row.id}, ${row.issuer}, ${row.audience}, ${row.jwks_uri}, ${row.created_by})`.execute(
    tx,
  );
}

export async function deleteTrustedIssuer(tx: Tx, orgId: string, id: string): Promise<boolean> {
  const r = await sql`DELETE FROM oauth_trusted_issuers WHERE org_id = ${orgId} AND id = ${id}`.execute(tx);
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function listTrustedIssuers(tx: Tx, orgId: string): Promise<TrustedIssuerRow[]> {
  const { rows } = await sql<TrustedIssuerRow>`SELECT org_id, id, issuer, audience, jwks_uri
    FROM oauth_trusted_issuers WHERE org_id = ${orgId} ORDER BY created_at`.execute(tx);
  return rows;
}
