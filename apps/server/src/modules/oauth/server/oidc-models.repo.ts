import { type Selectable, sql } from 'kysely';
import type { Queries } from '../../../platform/db/index.ts';
import type { OAuthServerTables, OidcModelsTable } from './server.schema.ts';

type Q = Queries<OAuthServerTables>;

export type OidcModelRow = Pick<
  Selectable<OidcModelsTable>,
  'id_hash' | 'payload' | 'sealed_secret' | 'consumed_at'
>;

const ROW = ['id_hash', 'payload', 'sealed_secret', 'consumed_at'] as const;

export async function upsertModel(
  db: Q,
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
  await db
    .insertInto('oidc_models')
    .values({
      model: m.model,
      id_hash: m.idHash,
      payload: JSON.stringify(m.payload),
      sealed_secret: m.sealedSecret,
      grant_id: m.grantId,
      uid: m.uid,
      expires_at: m.expiresAt,
    })
    .onConflict((oc) =>
      oc.columns(['model', 'id_hash']).doUpdateSet((eb) => ({
        payload: eb.ref('excluded.payload'),
        sealed_secret: eb.ref('excluded.sealed_secret'),
        grant_id: eb.ref('excluded.grant_id'),
        uid: eb.ref('excluded.uid'),
        expires_at: eb.ref('excluded.expires_at'),
      })),
    )
    .execute();
}

export async function findModel(
  db: Q,
  model: string,
  idHash: Buffer,
  now: Date,
): Promise<OidcModelRow | undefined> {
  return db
    .selectFrom('oidc_models')
    .select(ROW)
    .where('model', '=', model)
    .where('id_hash', '=', idHash)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .executeTakeFirst();
}

export async function findModelByUid(
  db: Q,
  model: string,
  uid: string,
  now: Date,
): Promise<OidcModelRow | undefined> {
  return db
    .selectFrom('oidc_models')
    .select(ROW)
    .where('model', '=', model)
    .where('uid', '=', uid)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** Marks a one-time artifact used; false when another request consumed it first (the row decides). */
export async function consumeModel(db: Q, model: string, idHash: Buffer, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('oidc_models')
    .set({ consumed_at: now })
    .where('model', '=', model)
    .where('id_hash', '=', idHash)
    .where('consumed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function destroyModel(db: Q, model: string, idHash: Buffer): Promise<void> {
  await db.deleteFrom('oidc_models').where('model', '=', model).where('id_hash', '=', idHash).execute();
}

/** Every artifact of a grant (codes, refresh tokens, the grant itself): one statement revokes the family. */
export async function destroyGrant(db: Q, grantId: string): Promise<number> {
  const r = await db.deleteFrom('oidc_models').where('grant_id', '=', grantId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function purgeExpiredModels(db: Q, before: Date): Promise<number> {
  const r = await db.deleteFrom('oidc_models').where('expires_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Clients an org registered (CI clients), for listings. */
export async function listOrgClients(db: Q, orgId: string): Promise<Record<string, unknown>[]> {
  const rows = await db
    .selectFrom('oidc_models')
    .select('payload')
    .where('model', '=', 'Client')
    .where(sql<string>`payload->>'org_id'`, '=', orgId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.payload);
}

/**
 * Everything of the authorization server that speaks for one user: their grants with every artifact issued
 * under them (refresh tokens, codes), and their sessions, device codes and interactions (deactivation, issue
 * 10 point 5). A rare administrative act, so a scan of the payloads is acceptable.
 */
export async function destroyAccountArtifacts(db: Q, accountId: string): Promise<number> {
  const r = await sql`DELETE FROM oidc_models
    WHERE payload->>'accountId' = ${accountId}
       OR payload->'session'->>'accountId' = ${accountId}
       OR grant_id IN (SELECT grant_id FROM oidc_models
                       WHERE model = 'Grant' AND payload->>'accountId' = ${accountId})`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
