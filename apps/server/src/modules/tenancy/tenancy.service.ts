import { uuidv7 } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { findDefaultOrgId, insertOrg } from './orgs.repo.ts';

/** The default org every install starts with; returns its id and whether it was created now. */
export async function ensureDefaultOrg(ownerDb: Db): Promise<{ orgId: string; created: boolean }> {
  const existing = await findDefaultOrgId(ownerDb);
  if (existing !== undefined) return { orgId: existing, created: false };
  const id = uuidv7();
  await withTenant(ownerDb, id, (tx) =>
    insertOrg(tx, { id, slug: 'default', name: 'Default organization', isDefault: true }),
  );
  return { orgId: id, created: true };
}

export async function createOrg(db: Db, input: { slug: string; name: string }): Promise<string> {
  const id = uuidv7();
  await withTenant(db, id, (tx) =>
    insertOrg(tx, { id, slug: input.slug, name: input.name, isDefault: false }),
  );
  return id;
}
