import { type Selectable, sql } from 'kysely';
import type { Queries } from '../../platform/db/index.ts';
import type { TrustKeysTable, TrustTables } from './trust.schema.ts';

type Q = Queries<TrustTables>;

export type TrustKeyRow = Omit<Selectable<TrustKeysTable>, 'org_id'>;

const KEY_COLUMNS = [
  'id',
  'kid',
  'issuer',
  'alg',
  'public_jwk',
  'thumbprint',
  'created_by',
  'created_at',
] as const;

export async function insertKey(
  tx: Q,
  orgId: string,
  row: Omit<TrustKeyRow, 'created_at'>,
): Promise<TrustKeyRow> {
  return tx
    .insertInto('trust_keys')
    .values({
      org_id: orgId,
      id: row.id,
      kid: row.kid,
      issuer: row.issuer,
      alg: row.alg,
      public_jwk: JSON.stringify(row.public_jwk),
      thumbprint: row.thumbprint,
      created_by: row.created_by,
    })
    .returning(KEY_COLUMNS)
    .executeTakeFirstOrThrow();
}

export async function listKeys(tx: Q, orgId: string): Promise<TrustKeyRow[]> {
  return tx
    .selectFrom('trust_keys')
    .select(KEY_COLUMNS)
    .where('org_id', '=', orgId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findKeyByKid(tx: Q, orgId: string, kid: string): Promise<TrustKeyRow | undefined> {
  return tx
    .selectFrom('trust_keys')
    .select(KEY_COLUMNS)
    .where('org_id', '=', orgId)
    .where('kid', '=', kid)
    .executeTakeFirst();
}

export async function deleteKey(tx: Q, orgId: string, id: string): Promise<TrustKeyRow | undefined> {
  return tx
    .deleteFrom('trust_keys')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returning(KEY_COLUMNS)
    .executeTakeFirst();
}

export async function readRequireSigned(tx: Q, orgId: string): Promise<boolean> {
  const row = await tx
    .selectFrom('trust_settings')
    .select('require_signed_manifests')
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return row?.require_signed_manifests ?? false;
}

export async function writeRequireSigned(tx: Q, orgId: string, value: boolean, by: string): Promise<void> {
  await tx
    .insertInto('trust_settings')
    .values({ org_id: orgId, require_signed_manifests: value, updated_by: by })
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet((eb) => ({
        require_signed_manifests: eb.ref('excluded.require_signed_manifests'),
        updated_by: eb.ref('excluded.updated_by'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
}
