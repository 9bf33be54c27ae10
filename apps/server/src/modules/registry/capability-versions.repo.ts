import { type Selectable, sql } from 'kysely';
import { type KeysetKey, keysetOrder } from '../../kernel/index.ts';
import { paginateByKeyset, type Queries } from '../../platform/db/index.ts';
import type { CapabilityVersionsTable, RegistryTables } from './registry.schema.ts';

/**
 * A server's capability versions (ADR 0004): the registry's record, stored by discovery through the registry's
 * door (`capabilityVersions` in index.ts).
 */
type Q = Queries<RegistryTables>;

/** The names of one version's capabilities, per list (discovery's `VersionNames`, capability-visibility.ts). */
export type VersionNames = Record<'tools' | 'resources' | 'resourceTemplates' | 'prompts', string[]>;

export type VersionRow = Selectable<CapabilityVersionsTable>;

export async function latestVersion(tx: Q, orgId: string, serverId: string): Promise<VersionRow | undefined> {
  return tx
    .selectFrom('capability_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findVersion(tx: Q, orgId: string, serverId: string, version: number) {
  return tx
    .selectFrom('capability_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function findVersionById(tx: Q, orgId: string, id: string) {
  return tx
    .selectFrom('capability_versions')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The order a server's versions are listed and paged in: newest first. */
export const VERSION_ORDER = keysetOrder({ version: 'int' }, 'desc');

export async function listVersions(
  tx: Q,
  orgId: string,
  serverId: string,
  page: { limit: number; after: KeysetKey | undefined },
) {
  const q = tx
    .selectFrom('capability_versions')
    .select(['id', 'server_id', 'version', 'content_hash', 'protocol_version', 'counts', 'discovered_at'])
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId);
  return paginateByKeyset(q, VERSION_ORDER, page).execute();
}

/**
 * Each listed version's capability names per list, read out of its snapshot in the database (only the names
 * travel, not the definitions): resources by name, else URI, as the search index names them (ADR 0036).
 */
export async function versionNames(
  tx: Q,
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
  tx: Q,
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

/**
 * Every server of an org that has a current capability version, with that version's snapshot: what the MCP
 * gateway's default endpoint offers (issue 11 point 2), read in one query.
 */
export async function currentSnapshots(tx: Q, orgId: string) {
  return tx
    .selectFrom('servers as s')
    .innerJoin('capability_versions as v', (j) =>
      j.onRef('v.org_id', '=', 's.org_id').onRef('v.id', '=', 's.current_version_id'),
    )
    .select([
      's.id',
      's.name',
      's.environment',
      's.tags',
      's.transport',
      'v.id as version_id',
      'v.protocol_version',
      'v.snapshot',
    ])
    .where('s.org_id', '=', orgId)
    .orderBy('s.name')
    .execute();
}
