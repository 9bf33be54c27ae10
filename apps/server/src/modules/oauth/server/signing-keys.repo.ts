import { type Selectable, sql } from 'kysely';
import type { Db, Queries } from '../../../platform/db/index.ts';
import type { OAuthServerTables, OAuthSigningKeysTable } from './server.schema.ts';

type Q = Queries<OAuthServerTables>;

export type SigningKeyRow = Pick<
  Selectable<OAuthSigningKeysTable>,
  'kid' | 'alg' | 'state' | 'public_jwk' | 'private_jwk' | 'created_at'
>;

const ROTATION_LOCK = 7_300_214_005; // pg_advisory_xact_lock key: one key generation at a time across processes

/** Keys that verify (active and retiring), newest first within each state. */
export async function listPublishedKeys(db: Q): Promise<SigningKeyRow[]> {
  return db
    .selectFrom('oauth_signing_keys')
    .select(['kid', 'alg', 'state', 'public_jwk', 'private_jwk', 'created_at'])
    .where('state', 'in', ['active', 'retiring'])
    .orderBy((eb) => eb('state', '=', 'active'), 'desc')
    .orderBy('created_at', 'desc')
    .execute();
}

/**
 * Under one advisory lock: `needs(activeAlgs)` says which algorithms to (re)key given those with an active key;
 * their current active key becomes `retiring` and the new one `active`. Two processes starting at once make
 * one key per algorithm, not two.
 */
export async function installKeys(
  db: Db,
  needs: (activeAlgs: string[]) => string[],
  make: (alg: string) => Promise<{ kid: string; publicJwk: Record<string, unknown>; privateJwk: Buffer }>,
  now: Date,
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const tx: Q = trx;
    // Raw: an advisory lock is a function call with no table, which the builder has no statement for.
    await sql`SELECT pg_advisory_xact_lock(${ROTATION_LOCK})`.execute(tx);
    const rows = await tx
      .selectFrom('oauth_signing_keys')
      .select('alg')
      .where('state', '=', 'active')
      .execute();
    const made: string[] = [];
    for (const alg of needs(rows.map((r) => r.alg))) {
      const k = await make(alg);
      await tx
        .updateTable('oauth_signing_keys')
        .set({ state: 'retiring', rotated_at: now })
        .where('alg', '=', alg as SigningKeyRow['alg'])
        .where('state', '=', 'active')
        .execute();
      await tx
        .insertInto('oauth_signing_keys')
        .values({
          kid: k.kid,
          alg: alg as SigningKeyRow['alg'],
          state: 'active',
          public_jwk: JSON.stringify(k.publicJwk),
          private_jwk: k.privateJwk,
          created_at: now,
        })
        .execute();
      made.push(k.kid);
    }
    return made;
  });
}

/** Stops a retiring key from verifying: it leaves the JWKS. An active key cannot be retired (rotate first). */
export async function retireKey(db: Q, kid: string, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('oauth_signing_keys')
    .set({ state: 'retired', retired_at: now })
    .where('kid', '=', kid)
    .where('state', '=', 'retiring')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A fingerprint of the published key set, polled by other processes to notice a rotation. */
export async function keySetVersion(db: Q): Promise<string> {
  const row = await db
    .selectFrom('oauth_signing_keys')
    .select((eb) =>
      eb.fn
        .coalesce(
          eb.fn.agg<string | null>('string_agg', [sql`kid || ':' || state`, sql.lit(',')]).orderBy('kid'),
          sql.lit(''),
        )
        .as('v'),
    )
    .where('state', 'in', ['active', 'retiring'])
    .executeTakeFirst();
  return row?.v ?? '';
}
