import { type Selectable, sql } from 'kysely';
import type { Queries, Tx } from '../../platform/db/index.ts';
import { findOwned } from '../../platform/db/index.ts';
import type { ResourceFilter } from '../authz/index.ts';
import { serverCondition } from './policy-filter.repo.ts';
import type { RegistryTables, ServersTable } from './registry.schema.ts';

type Q = Queries<RegistryTables>;

export type ServerRow = Selectable<ServersTable> & { current_version: number | null };

const columns = [
  's.org_id',
  's.id',
  's.name',
  's.url',
  's.transport',
  's.environment',
  's.tags',
  's.description',
  's.auto_discover',
  's.auth_type',
  's.auth_header_name',
  's.auth_secret',
  's.status',
  's.last_error',
  's.current_version_id',
  's.last_discovered_at',
  's.created_by',
  's.created_at',
  's.updated_at',
] as const;

function base(tx: Q) {
  return tx
    .selectFrom('servers as s')
    .leftJoin('capability_versions as v', (j) =>
      j.onRef('v.org_id', '=', 's.org_id').onRef('v.id', '=', 's.current_version_id'),
    )
    .select(columns)
    .select('v.version as current_version');
}

export async function insertServer(
  tx: Q,
  row: Omit<
    Selectable<ServersTable>,
    'created_at' | 'updated_at' | 'last_error' | 'current_version_id' | 'last_discovered_at'
  >,
) {
  await tx
    .insertInto('servers')
    .values({ ...row, last_error: null })
    .execute();
}

export async function findServer(tx: Q, orgId: string, id: string): Promise<ServerRow | undefined> {
  return findOwned(tx, { table: 'servers', orgId, id }, () =>
    base(tx).where('s.org_id', '=', orgId).where('s.id', '=', id).executeTakeFirst(),
  );
}

export async function findServerIdByName(tx: Q, orgId: string, environment: string, name: string) {
  const r = await tx
    .selectFrom('servers')
    .select('id')
    .where('org_id', '=', orgId)
    .where('environment', '=', environment as ServersTable['environment'])
    .where(sql`lower(name)`, '=', name.toLowerCase())
    .executeTakeFirst();
  return r?.id;
}

export interface ListFilter {
  environment?: string | undefined;
  tags?: string[] | undefined;
  status?: string | undefined;
  q?: string | undefined;
  limit: number;
  after?: { createdAt: string; id: string } | undefined;
  /** The caller's policy on servers (ADR 0020); capabilities do not hide a server (ADR 0036). */
  policy?: ResourceFilter['server'] | undefined;
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function listServers(tx: Tx, orgId: string, f: ListFilter): Promise<ServerRow[]> {
  let q = base(tx).where('s.org_id', '=', orgId);
  if (f.environment !== undefined)
    q = q.where('s.environment', '=', f.environment as ServersTable['environment']);
  if (f.status !== undefined) q = q.where('s.status', '=', f.status as ServersTable['status']);
  if (f.tags !== undefined && f.tags.length > 0)
    q = q.where('s.tags', '@>', sql<string[]>`${f.tags}::text[]`);
  if (f.q !== undefined) {
    const like = `%${f.q.replace(/[\\%_]/g, '\\$&')}%`;
    q = q.where((eb) => eb.or([eb('s.name', 'ilike', like), eb('s.description', 'ilike', like)]));
  }
  if (f.policy !== undefined) q = q.where(serverCondition(f.policy));
  if (f.after !== undefined) {
    const { createdAt, id } = f.after;
    q = q.where(sql<boolean>`(s.created_at, s.id) < (${createdAt}::timestamptz, ${id}::uuid)`);
  }
  return q.orderBy('s.created_at', 'desc').orderBy('s.id', 'desc').limit(f.limit).execute();
}

export async function updateServer(
  tx: Q,
  orgId: string,
  id: string,
  patch: Partial<Omit<Selectable<ServersTable>, 'org_id' | 'id' | 'last_error'>> & {
    last_error?: string | null;
  },
) {
  const r = await tx
    .updateTable('servers')
    .set({ ...patch, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function deleteServer(tx: Q, orgId: string, id: string): Promise<boolean> {
  const r = await tx
    .deleteFrom('servers')
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** How many servers the org has registered (the `servers` quota's usage). */
export async function countServers(tx: Q, orgId: string): Promise<number> {
  const row = await tx
    .selectFrom('servers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** What policies test of a server (name, environment, tags), by an id from outside. */
export async function findServerFacts(tx: Q, orgId: string, id: string) {
  return findOwned(tx, { table: 'servers', orgId, id }, () =>
    tx
      .selectFrom('servers')
      .select(['id', 'name', 'environment', 'tags'])
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .executeTakeFirst(),
  );
}
