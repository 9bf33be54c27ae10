import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/index.ts';

export interface ApiKeyLookup {
  org_id: string;
  id: string;
  secret_hash: Buffer;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  name: string;
}

/** Before the tenant is known: through the one SECURITY DEFINER door (migration 001). */
export async function findApiKeyByPrefix(db: Db, prefix: string): Promise<ApiKeyLookup | undefined> {
  const { rows } = await sql<ApiKeyLookup>`SELECT * FROM auth_find_api_key(${prefix})`.execute(db);
  return rows[0];
}

export async function insertApiKey(
  tx: Tx,
  k: {
    orgId: string;
    id: string;
    prefix: string;
    secretHash: Buffer;
    name: string;
    description: string;
    scopes: string[];
    createdBy: string;
    expiresAt: Date | null;
  },
) {
  await tx
    .insertInto('api_keys')
    .values({
      org_id: k.orgId,
      id: k.id,
      prefix: k.prefix,
      secret_hash: k.secretHash,
      name: k.name,
      description: k.description,
      scopes: k.scopes,
      created_by: k.createdBy,
      expires_at: k.expiresAt,
    })
    .execute();
}

export async function countApiKeys(tx: Tx, orgId: string): Promise<number> {
  const row = await tx
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
