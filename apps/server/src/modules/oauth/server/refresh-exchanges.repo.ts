import type { Selectable } from 'kysely';
import type { Queries } from '../../../platform/db/index.ts';
import type { OAuthRefreshExchangesTable, OAuthServerTables } from './server.schema.ts';

type Q = Queries<OAuthServerTables>;

export type RefreshExchangeRow = Pick<
  Selectable<OAuthRefreshExchangesTable>,
  'client_id' | 'client_auth_hash' | 'dpop_jkt' | 'started_at' | 'completed_at' | 'response'
>;

export async function findExchange(db: Q, tokenHash: Buffer): Promise<RefreshExchangeRow | undefined> {
  return db
    .selectFrom('oauth_refresh_exchanges')
    .select(['client_id', 'client_auth_hash', 'dpop_jkt', 'started_at', 'completed_at', 'response'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** The first request for a refresh token claims it; false when another request (any process) already has. */
export async function claimExchange(
  db: Q,
  e: {
    tokenHash: Buffer;
    clientId: string;
    authHash: Buffer;
    jkt: string | null;
    now: Date;
    expiresAt: Date;
  },
): Promise<boolean> {
  const row = await db
    .insertInto('oauth_refresh_exchanges')
    .values({
      token_hash: e.tokenHash,
      client_id: e.clientId,
      client_auth_hash: e.authHash,
      dpop_jkt: e.jkt,
      started_at: e.now,
      expires_at: e.expiresAt,
    })
    .onConflict((oc) => oc.column('token_hash').doNothing())
    .returning('token_hash')
    .executeTakeFirst();
  return row !== undefined;
}

export async function completeExchange(
  db: Q,
  tokenHash: Buffer,
  c: { response: Buffer; grantId: string | null; now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .updateTable('oauth_refresh_exchanges')
    .set({ response: c.response, grant_id: c.grantId, completed_at: c.now, expires_at: c.expiresAt })
    .where('token_hash', '=', tokenHash)
    .execute();
}

/** A claim whose request failed (nothing rotated) or whose process died: the next request may try again. */
export async function dropExchange(db: Q, tokenHash: Buffer): Promise<void> {
  await db.deleteFrom('oauth_refresh_exchanges').where('token_hash', '=', tokenHash).execute();
}

export async function purgeExchanges(db: Q, before: Date): Promise<number> {
  const r = await db
    .deleteFrom('oauth_refresh_exchanges')
    .where('expires_at', '<', before)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
