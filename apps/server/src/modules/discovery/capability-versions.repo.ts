import type { Selectable } from 'kysely';
import type { CapabilityVersionsTable, Tx } from '../../platform/db/index.ts';

export type VersionRow = Selectable<CapabilityVersionsTable>;

export async function latestVersion(
  tx: Tx,
  orgId: string,
  serverId: string,
): Promise<VersionRow | undefined> {
  return tx
    .selectFrom('capability_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findVersion(tx: Tx, orgId: string, serverId: string, version: number) {
  return tx
    .selectFrom('capability_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function findVersionById(tx: Tx, orgId: string, id: string) {
  return tx
    .selectFrom('capability_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function listVersions(
  tx: Tx,
  orgId: string,
  serverId: string,
  limit: number,
  beforeVersion?: number,
) {
  let q = tx
    .selectFrom('capability_versions')
    .select(['id', 'server_id', 'version', 'content_hash', 'protocol_version', 'counts', 'discovered_at'])
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId);
  if (beforeVersion !== undefined) q = q.where('version', '<', beforeVersion);
  return q.orderBy('version', 'desc').limit(limit).execute();
}

export async function insertVersion(
  tx: Tx,
  v: {
    orgId: string;
    id: string;
    serverId: string;
    version: number;
    contentHash: string;
    protocolVersion: string;
    snapshot: unknown;
    counts: unknown;
    discoveredAt: Date;
  },
) {
  await tx
    .insertInto('capability_versions')
    .values({
      org_id: v.orgId,
      id: v.id,
      server_id: v.serverId,
      version: v.version,
      content_hash: v.contentHash,
      protocol_version: v.protocolVersion,
      snapshot: JSON.stringify(v.snapshot),
      counts: JSON.stringify(v.counts),
      discovered_at: v.discoveredAt,
    })
    .execute();
}
