import type { Db, Tx } from '../../platform/db/index.ts';

export async function insertOrg(tx: Tx, org: { id: string; slug: string; name: string; isDefault: boolean }) {
  await tx
    .insertInto('orgs')
    .values({ id: org.id, slug: org.slug, name: org.name, is_default: org.isDefault })
    .execute();
}

export async function findOrg(tx: Tx, id: string) {
  return tx.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Read by the owner connection at bootstrap: which org is the default one. */
export async function findDefaultOrgId(db: Db): Promise<string | undefined> {
  const row = await db.selectFrom('orgs').select('id').where('is_default', '=', true).executeTakeFirst();
  return row?.id;
}

/** Every org, for the machine's operator on the owner connection (`admin create-key` picks one). */
export async function listOrgs(db: Db): Promise<{ id: string; slug: string; is_default: boolean }[]> {
  return db.selectFrom('orgs').select(['id', 'slug', 'is_default']).orderBy('slug').execute();
}
