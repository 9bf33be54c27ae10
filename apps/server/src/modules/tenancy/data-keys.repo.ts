import type { Queries } from '../../platform/db/index.ts';
import type { TenancyTables } from './tenancy.schema.ts';

type Q = Queries<TenancyTables>;

export async function findActiveDataKey(tx: Q, orgId: string) {
  return tx
    .selectFrom('org_data_keys')
    .select(['id', 'wrapped_key'])
    .where('org_id', '=', orgId)
    .where('retired_at', 'is', null)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

export async function findDataKey(tx: Q, orgId: string, id: string) {
  return tx
    .selectFrom('org_data_keys')
    .select(['id', 'wrapped_key'])
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function insertDataKey(tx: Q, row: { orgId: string; id: string; wrappedKey: Buffer }) {
  await tx
    .insertInto('org_data_keys')
    .values({ org_id: row.orgId, id: row.id, wrapped_key: row.wrappedKey })
    .execute();
}
