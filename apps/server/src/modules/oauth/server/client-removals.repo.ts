import { sql } from 'kysely';
import type { Db, Tx } from '../../../platform/db/index.ts';

export async function recordClientRemoval(tx: Tx, clientId: string, at: Date): Promise<void> {
  await sql`INSERT INTO oauth_removed_clients (client_id, removed_at) VALUES (${clientId}, ${at})
    ON CONFLICT (client_id) DO NOTHING`.execute(tx);
}

export async function isClientRemoved(db: Db, clientId: string): Promise<boolean> {
  const { rows } = await sql`SELECT 1 FROM oauth_removed_clients WHERE client_id = ${clientId}`.execute(db);
  return rows.length > 0;
}

export async function purgeClientRemovals(db: Db, before: Date): Promise<number> {
  const r = await sql`DELETE FROM oauth_removed_clients WHERE removed_at < ${before}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
