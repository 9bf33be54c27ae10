import { type Selectable, sql } from 'kysely';
import { type KeysetKey, keysetOrder } from '../../kernel/index.ts';
import { paginateByKeyset, type Queries } from '../../platform/db/index.ts';
import type { Drift, JsonObject } from './drift.ts';
import type { ServerManifestStateTable, ServerManifestsTable, TrustTables } from './trust.schema.ts';

type Q = Queries<TrustTables>;

export type ManifestState = ServerManifestsTable['state'];

export type ManifestRow = Omit<Selectable<ServerManifestsTable>, 'org_id'>;

export type StateRow = Omit<Selectable<ServerManifestStateTable>, 'org_id' | 'updated_at'>;

const COLUMNS = [
  'id',
  'server_id',
  'version',
  'state',
  'source',
  'issuer',
  'kid',
  'alg',
  'signature',
  'jws',
  'payload',
  'policy_hash',
  'created_by',
  'created_at',
] as const;

const STATE_COLUMNS = [
  'server_id',
  'observed',
  'observed_hash',
  'observed_version',
  'drift',
  'drifted_since',
  'checked_at',
] as const;

/** The order a server's manifest versions are listed and paged in: newest first. */
export const MANIFEST_VERSION_ORDER = keysetOrder({ version: 'int' }, 'desc');

/** Creates the server's state row if needed and locks it: manifest changes and drift checks of one server queue. */
export async function lockState(tx: Q, orgId: string, serverId: string): Promise<StateRow> {
  await tx
    .insertInto('server_manifest_state')
    .values({ org_id: orgId, server_id: serverId })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return tx
    .selectFrom('server_manifest_state')
    .select(STATE_COLUMNS)
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function readState(tx: Q, orgId: string, serverId: string): Promise<StateRow | undefined> {
  return tx
    .selectFrom('server_manifest_state')
    .select(STATE_COLUMNS)
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId)
    .executeTakeFirst();
}

export async function saveObserved(
  tx: Q,
  orgId: string,
  serverId: string,
  o: { observed?: JsonObject; hash: string; version: number },
): Promise<void> {
  await tx
    .updateTable('server_manifest_state')
    .set({
      // Unchanged content is not stored again: the column keeps what it has.
      ...(o.observed === undefined ? {} : { observed: JSON.stringify(o.observed) }),
      observed_hash: o.hash,
      observed_version: o.version,
      updated_at: sql<Date>`now()`,
    })
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId)
    .execute();
}

export async function saveCheck(
  tx: Q,
  orgId: string,
  serverId: string,
  c: { drift: Drift | null; driftedSince: Date | null; checked: boolean },
): Promise<void> {
  await tx
    .updateTable('server_manifest_state')
    .set({
      drift: c.drift === null ? null : JSON.stringify(c.drift),
      drifted_since: c.driftedSince,
      checked_at: c.checked ? sql<Date>`now()` : null,
      updated_at: sql<Date>`now()`,
    })
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId)
    .execute();
}

export async function findCurrent(tx: Q, orgId: string, serverId: string): Promise<ManifestRow | undefined> {
  return tx
    .selectFrom('server_manifests')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId)
    .where('state', '=', 'current')
    .executeTakeFirst();
}

/** Earlier versions a rollback may return to, newest first. */
export async function rollbackCandidates(
  tx: Q,
  orgId: string,
  serverId: string,
  before: number,
): Promise<ManifestRow[]> {
  return tx
    .selectFrom('server_manifests')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId)
    .where('version', '<', before)
    .where('state', '<>', 'rolled_back')
    .orderBy('version', 'desc')
    .execute();
}

export async function listVersions(
  tx: Q,
  orgId: string,
  serverId: string,
  page: { limit: number; after: KeysetKey | undefined },
): Promise<ManifestRow[]> {
  const q = tx
    .selectFrom('server_manifests')
    .select(COLUMNS)
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId);
  return paginateByKeyset(q, MANIFEST_VERSION_ORDER, page).execute();
}

export async function nextVersion(tx: Q, orgId: string, serverId: string): Promise<number> {
  const r = await tx
    .selectFrom('server_manifests')
    .select((eb) => eb.fn.max('version').as('n'))
    .where('org_id', '=', orgId)
    .where('server_id', '=', serverId)
    .executeTakeFirst();
  return Number(r?.n ?? 0) + 1;
}

export async function setState(tx: Q, orgId: string, id: string, state: ManifestState): Promise<void> {
  await tx
    .updateTable('server_manifests')
    .set({ state })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export async function insertManifest(
  tx: Q,
  orgId: string,
  row: Omit<ManifestRow, 'created_at'>,
): Promise<void> {
  await tx
    .insertInto('server_manifests')
    .values({
      org_id: orgId,
      id: row.id,
      server_id: row.server_id,
      version: row.version,
      state: row.state,
      source: row.source,
      issuer: row.issuer,
      kid: row.kid,
      alg: row.alg,
      signature: row.signature,
      jws: row.jws,
      payload: JSON.stringify(row.payload),
      policy_hash: row.policy_hash,
      created_by: row.created_by,
    })
    .execute();
}

export interface SummaryRow {
  server_id: string;
  version: number | null;
  issuer: string | null;
  kid: string | null;
  policy_hash: string | null;
  drift: Drift | null;
  drifted_since: Date | null;
  checked_at: Date | null;
}

/** The current manifest and drift state of each server given (servers without either are absent). */
export async function summaries(tx: Q, orgId: string, serverIds: readonly string[]): Promise<SummaryRow[]> {
  if (serverIds.length === 0) return [];
  return tx
    .selectFrom('server_manifests as m')
    .leftJoin('server_manifest_state as s', (j) =>
      j.onRef('s.org_id', '=', 'm.org_id').onRef('s.server_id', '=', 'm.server_id'),
    )
    .select([
      'm.server_id',
      'm.version',
      'm.issuer',
      'm.kid',
      'm.policy_hash',
      's.drift',
      's.drifted_since',
      's.checked_at',
    ])
    .where('m.org_id', '=', orgId)
    .where((eb) => eb('m.server_id', '=', eb.fn.any(eb.val([...serverIds]))))
    .where('m.state', '=', 'current')
    .execute();
}
