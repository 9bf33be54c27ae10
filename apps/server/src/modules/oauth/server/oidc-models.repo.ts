import { sql } from 'kysely';
import type { Db } from '../../../platform/db/index.ts';

export interface OidcModelRow {
  id_hash: Buffer;
  payload: Record<string, unknown>;
  sealed_secret: Buffer | null;
  consumed_at: Date | null;
}

export async function upsertModel(
  db: Db,
  m: {
    model: string;
    idHash: Buffer;
    payload: Record<string, unknown>;
    sealedSecret: Buffer | null;
    grantId: string | null;
    uid: string | null;
    expiresAt: Date | null;
  },
): Promise<void> {
  await sql`INSERT INTO oidc_models (model, id_hash, payload, sealed_secret, grant_id, uid, expires_at)
    VALUES (${m.model}, ${m.idHash}, ${JSON.stringify(m.payload)}::jsonb, ${m.sealedSecret}, ${m.grantId},
            ${m.uid}, ${m.expiresAt})
    ON CONFLICT (model, id_hash) DO UPDATE SET payload = EXCLUDED.payload, sealed_secret = EXCLUDED.sealed_secret,
      grant_id = EXCLUDED.grant_id, uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at`.execute(db);
}

export async function findModel(
  db: Db,
  model: string,
  idHash: Buffer,
  now: Date,
): Promise<OidcModelRow | undefined> {
  const { rows } =
    await sql<OidcModelRow>`SELECT id_hash, payload, sealed_secret, consumed_at FROM oidc_models
    WHERE model = ${model} AND id_hash = ${idHash} AND (expires_at IS NULL OR expires_at > ${now})`.execute(
      db,
    );
  return rows[0];
}

export async function findModelByUid(
  db: Db,
  model: string,
  uid: string,
  now: Date,
): Promise<OidcModelRow | undefined> {
  const { rows } =
    await sql<OidcModelRow>`SELECT id_hash, payload, sealed_secret, consumed_at FROM oidc_models
    WHERE model = ${model} AND uid = ${uid} AND (expires_at IS NULL OR expires_at > ${now})
    ORDER BY created_at DESC LIMIT 1`.execute(db);
  return rows[0];
}

/** Marks a one-time artifact used; false when another request consumed it first (the row decides). */
export async function consumeModel(db: Db, model: string, idHash: Buffer, now: Date): Promise<boolean> {
  const r = await sql`UPDATE oidc_models SET consumed_at = ${now}
    WHERE model = ${model} AND id_hash = ${idHash} AND consumed_at IS NULL`.execute(db);
  return Number(r.numAffectedRows ?? 0) === 1;
}

export async function destroyModel(db: Db, model: string, idHash: Buffer): Promise<void> {
  await sql`DELETE FROM oidc_models WHERE model = ${model} AND id_hash = ${idHash}`.execute(db);
}

/** Every artifact of a grant (codes, refresh tokens, the grant itself): one statement revokes the family. */
export async function destroyGrant(db: Db, grantId: string): Promise<number> {
  const r = await sql`DELETE FROM oidc_models WHERE grant_id = ${grantId}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export async function purgeExpiredModels(db: Db, before: Date): Promise<number> {
  const r = await sql`DELETE FROM oidc_models WHERE expires_at < ${before}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Clients an org registered (CI clients), for listings. */
export async function listOrgClients(db: Db, orgId: string): Promise<Record<string, unknown>[]> {
  const { rows } = await sql<{ payload: Record<string, unknown> }>`SELECT payload FROM oidc_models
    WHERE model = 'Client' AND payload->>'org_id' = ${orgId} ORDER BY created_at`.execute(db);
  return rows.map((r) => r.payload);
}
