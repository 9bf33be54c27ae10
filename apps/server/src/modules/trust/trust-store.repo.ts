import { sql } from 'kysely';
import type { Tx } from '../../platform/db/index.ts';
import type { ManifestAlg } from './public-jwk.ts';

export interface TrustKeyRow {
  id: string;
  kid: string;
  issuer: string;
  alg: ManifestAlg;
  public_jwk: Record<string, string>;
  thumbprint: string;
  created_by: string;
  created_at: Date;
}

const KEY_COLUMNS = sql`id, kid, issuer, alg, public_jwk, thumbprint, created_by, created_at`;

export async function insertKey(
  tx: Tx,
  orgId: string,
  row: Omit<TrustKeyRow, 'created_at'>,
): Promise<TrustKeyRow> {
  const { rows } = await sql<TrustKeyRow>`INSERT INTO trust_keys
      (org_id, id, kid, issuer, alg, public_jwk, thumbprint, created_by)
    VALUES (${orgId}, ${row.id}, ${row.kid}, ${row.issuer}, ${row.alg}, ${JSON.stringify(row.public_jwk)}::jsonb,
      ${row.thumbprint}, ${row.created_by})
    RETURNING ${KEY_COLUMNS}`.execute(tx);
  return rows[0]!;
}

export async function listKeys(tx: Tx, orgId: string): Promise<TrustKeyRow[]> {
  const { rows } = await sql<TrustKeyRow>`SELECT ${KEY_COLUMNS} FROM trust_keys
    WHERE org_id = ${orgId} ORDER BY created_at, id`.execute(tx);
  return rows;
}

export async function findKeyByKid(tx: Tx, orgId: string, kid: string): Promise<TrustKeyRow | undefined> {
  const { rows } = await sql<TrustKeyRow>`SELECT ${KEY_COLUMNS} FROM trust_keys
    WHERE org_id = ${orgId} AND kid = ${kid}`.execute(tx);
  return rows[0];
}

export async function deleteKey(tx: Tx, orgId: string, id: string): Promise<TrustKeyRow | undefined> {
  const { rows } = await sql<TrustKeyRow>`DELETE FROM trust_keys WHERE org_id = ${orgId} AND id = ${id}
    RETURNING ${KEY_COLUMNS}`.execute(tx);
  return rows[0];
}

export async function readRequireSigned(tx: Tx, orgId: string): Promise<boolean> {
  const { rows } = await sql<{ require_signed_manifests: boolean }>`SELECT require_signed_manifests
    FROM trust_settings WHERE org_id = ${orgId}`.execute(tx);
  return rows[0]?.require_signed_manifests ?? false;
}

export async function writeRequireSigned(tx: Tx, orgId: string, value: boolean, by: string): Promise<void> {
  await sql`INSERT INTO trust_settings (org_id, require_signed_manifests, updated_by)
    VALUES (${orgId}, ${value}, ${by})
    ON CONFLICT (org_id) DO UPDATE SET require_signed_manifests = EXCLUDED.require_signed_manifests,
      updated_by = EXCLUDED.updated_by, updated_at = now()`.execute(tx);
}
