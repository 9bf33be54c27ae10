import type { Queries } from '../../platform/db/index.ts';
import type { TenancyTables } from './tenancy.schema.ts';

type Q = Queries<TenancyTables>;

export async function insertOrg(tx: Q, org: { id: string; slug: string; name: string; isDefault: boolean }) {
  await tx
    .insertInto('orgs')
    .values({ id: org.id, slug: org.slug, name: org.name, is_default: org.isDefault })
    .execute();
}

export async function findOrg(tx: Q, id: string) {
  return tx.selectFrom('orgs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The org's time zone (IANA), UTC when the org is not found: policies' local time and per-day quotas use it. */
export async function orgTimeZone(tx: Q, id: string): Promise<string> {
  const r = await tx.selectFrom('orgs').select('time_zone').where('id', '=', id).executeTakeFirst();
  return r?.time_zone ?? 'UTC';
}

/** Read by the owner connection at bootstrap: which org is the default one. */
export async function findDefaultOrgId(db: Q): Promise<string | undefined> {
  const row = await db.selectFrom('orgs').select('id').where('is_default', '=', true).executeTakeFirst();
  return row?.id;
}

/** Every org, for the machine's operator on the owner connection (`admin create-key` picks one). */
export async function listOrgs(db: Q): Promise<{ id: string; slug: string; is_default: boolean }[]> {
  return db.selectFrom('orgs').select(['id', 'slug', 'is_default']).orderBy('slug').execute();
}
