import { type Selectable, sql } from 'kysely';
import type { CapabilityVersionsTable, Tx } from '../../platform/db/index.ts';
import type { VersionNames } from './capability-visibility.ts';

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

/**
 * Each listed version's capability names per list, read out of its snapshot in the database (only the names
 * travel, not the definitions): resources by name, else URI, as the search index names them (ADR 0036).
 */
export async function versionNames(
  tx: Tx,
  orgId: string,
  ids: readonly string[],
): Promise<Map<string, VersionNames>> {
  if (ids.length === 0) return new Map();
  // A JSON path over the snapshot column: Kysely has no builder for jsonb_array_elements in a scalar subquery.
  const names = (list: string, fallback: string | null) =>
    sql<string[]>`coalesce((SELECT jsonb_agg(coalesce(nullif(x ->> 'name', ''), ${
      fallback === null ? sql`''` : sql`x ->> ${fallback}`
    }, '')) FROM jsonb_array_elements(coalesce(v.snapshot -> ${list}, '[]')) x), '[]')`;
  const rows = await tx
    .selectFrom('capability_versions as v')
    .select([
      'v.id',
      names('tools', null).as('tools'),
      names('resources', 'uri').as('resources'),
      names('resourceTemplates', 'uriTemplate').as('resourceTemplates'),
      names('prompts', null).as('prompts'),
    ])
    .where('v.org_id', '=', orgId)
    .where('v.id', 'in', [...ids])
    .execute();
  return new Map(rows.map(({ id, ...lists }) => [id, lists]));
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
