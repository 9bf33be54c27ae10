import type { Queries } from '../../../platform/db/index.ts';
import type { OAuthServerTables } from './server.schema.ts';

type Q = Queries<OAuthServerTables>;

export async function recordClientRemoval(tx: Q, clientId: string, at: Date): Promise<void> {
  await tx
    .insertInto('oauth_removed_clients')
    .values({ client_id: clientId, removed_at: at })
    .onConflict((oc) => oc.column('client_id').doNothing())
    .execute();
}

export async function isClientRemoved(db: Q, clientId: string): Promise<boolean> {
  const row = await db
    .selectFrom('oauth_removed_clients')
    .select('client_id')
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function purgeClientRemovals(db: Q, before: Date): Promise<number> {
  const r = await db.deleteFrom('oauth_removed_clients').where('removed_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
