import type { Insertable, Selectable } from 'kysely';
import { type KeysetKey, keysetOrder } from '../../kernel/index.ts';
import { findOwned, isUniqueViolation, paginateByKeyset, type Queries } from '../../platform/db/index.ts';
import type {
  VirtualServerMembersTable,
  VirtualServerOverridesTable,
  VirtualServersTable,
  VirtualServersTables,
} from './virtual-servers.schema.ts';

/** SQL for virtual servers, their members and overrides (migration 024). */
type Q = Queries<VirtualServersTables>;

export type VirtualServerRow = Selectable<VirtualServersTable>;
export type MemberRow = Selectable<VirtualServerMembersTable>;
export type OverrideRow = Selectable<VirtualServerOverridesTable>;

/** A virtual server with its parts, as the service reads and writes it whole. */
export interface Stored {
  readonly row: VirtualServerRow;
  readonly members: readonly MemberRow[];
  readonly overrides: readonly OverrideRow[];
}

/** Oldest first, as the other org-configuration lists (policies, roles). */
export const VIRTUAL_SERVER_ORDER = keysetOrder({ created_at: 'timestamp', id: 'uuid' }, 'asc');

/** The unique index on (org, slug): its violation is the race a pre-check cannot close. */
export const isSlugConflict = (e: unknown) => isUniqueViolation(e, 'virtual_servers_slug_per_org');

export async function listPage(tx: Q, orgId: string, f: { limit: number; after: KeysetKey | undefined }) {
  const q = tx.selectFrom('virtual_servers').selectAll().where('org_id', '=', orgId);
  return paginateByKeyset(q, VIRTUAL_SERVER_ORDER, f).execute();
}

export async function findById(tx: Q, orgId: string, id: string): Promise<VirtualServerRow | undefined> {
  return findOwned(tx, { table: 'virtual_servers', orgId, id }, () =>
    tx
      .selectFrom('virtual_servers')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst(),
  );
}

export async function findBySlug(tx: Q, orgId: string, slug: string): Promise<VirtualServerRow | undefined> {
  return tx
    .selectFrom('virtual_servers')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('slug', '=', slug)
    .executeTakeFirst();
}

/** The members and overrides of the listed virtual servers, members in position order. */
export async function partsOf(tx: Q, orgId: string, ids: readonly string[]) {
  if (ids.length === 0) return { members: [], overrides: [] };
  const [members, overrides] = await Promise.all([
    tx
      .selectFrom('virtual_server_members')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('virtual_server_id', 'in', [...ids])
      .orderBy('virtual_server_id')
      .orderBy('position')
      .execute(),
    tx
      .selectFrom('virtual_server_overrides')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('virtual_server_id', 'in', [...ids])
      .orderBy('virtual_server_id')
      .orderBy('server_id')
      .orderBy('tool')
      .execute(),
  ]);
  return { members, overrides };
}

export async function insertRow(tx: Q, row: Insertable<VirtualServersTable>): Promise<void> {
  await tx.insertInto('virtual_servers').values(row).execute();
}

export async function updateRow(
  tx: Q,
  orgId: string,
  id: string,
  set: Partial<Omit<Insertable<VirtualServersTable>, 'org_id' | 'id'>>,
): Promise<void> {
  await tx.updateTable('virtual_servers').set(set).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Replaces a virtual server's members and overrides (a change names the whole list, as PUT would). */
export async function replaceParts(
  tx: Q,
  orgId: string,
  id: string,
  parts: {
    members?: readonly Insertable<VirtualServerMembersTable>[] | undefined;
    overrides?: readonly Insertable<VirtualServerOverridesTable>[] | undefined;
  },
): Promise<void> {
  if (parts.members !== undefined) {
    await tx
      .deleteFrom('virtual_server_members')
      .where('org_id', '=', orgId)
      .where('virtual_server_id', '=', id)
      .execute();
    if (parts.members.length > 0)
      await tx
        .insertInto('virtual_server_members')
        .values([...parts.members])
        .execute();
  }
  if (parts.overrides !== undefined) {
    await tx
      .deleteFrom('virtual_server_overrides')
      .where('org_id', '=', orgId)
      .where('virtual_server_id', '=', id)
      .execute();
    if (parts.overrides.length > 0)
      await tx
        .insertInto('virtual_server_overrides')
        .values([...parts.overrides])
        .execute();
  }
}

export async function deleteRow(tx: Q, orgId: string, id: string): Promise<void> {
  await tx.deleteFrom('virtual_servers').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** The org's virtual servers that pin tool definitions (ADR 0044): the ones a new capability version can drift. */
export async function listPinning(tx: Q, orgId: string): Promise<VirtualServerRow[]> {
  return tx
    .selectFrom('virtual_servers')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('pinning', '!=', 'off')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Locks one virtual server's row for a read-modify-write of its approvals (two admins approving at once). */
export async function lockById(tx: Q, orgId: string, id: string): Promise<VirtualServerRow | undefined> {
  return tx
    .selectFrom('virtual_servers')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}
