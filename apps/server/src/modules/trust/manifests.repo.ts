import { sql } from 'kysely';
import type { Tx } from '../../platform/db/index.ts';
import type { Drift, JsonObject } from './drift.ts';

export type ManifestState = 'current' | 'superseded' | 'rolled_back';

export interface ManifestRow {
  id: string;
  server_id: string;
  version: number;
  state: ManifestState;
  source: 'registration' | 'submission';
  issuer: string;
  kid: string;
  alg: string;
  signature: string;
  jws: string;
  payload: JsonObject;
  policy_hash: string;
  created_by: string;
  created_at: Date;
}

export interface StateRow {
  server_id: string;
  observed: JsonObject | null;
  observed_hash: string | null;
  observed_version: number | null;
  drift: Drift | null;
  drifted_since: Date | null;
  checked_at: Date | null;
}

const COLUMNS = sql`id, server_id, version, state, source, issuer, kid, alg, signature, jws, payload, policy_hash,
  created_by, created_at`;

/** Creates the server's state row if needed and locks it: manifest changes and drift checks of one server queue. */
export async function lockState(tx: Tx, orgId: string, serverId: string): Promise<StateRow> {
  await sql`INSERT INTO server_manifest_state (org_id, server_id) VALUES (${orgId}, ${serverId})
    ON CONFLICT DO NOTHING`.execute(tx);
  const { rows } = await sql<StateRow>`SELECT server_id, observed, observed_hash, observed_version, drift,
      drifted_since, checked_at
    FROM server_manifest_state WHERE org_id = ${orgId} AND server_id = ${serverId} FOR UPDATE`.execute(tx);
  return rows[0]!;
}

export async function readState(tx: Tx, orgId: string, serverId: string): Promise<StateRow | undefined> {
  const { rows } = await sql<StateRow>`SELECT server_id, observed, observed_hash, observed_version, drift,
      drifted_since, checked_at
    FROM server_manifest_state WHERE org_id = ${orgId} AND server_id = ${serverId}`.execute(tx);
  return rows[0];
}

export async function saveObserved(
  tx: Tx,
  orgId: string,
  serverId: string,
  o: { observed?: JsonObject; hash: string; version: number },
): Promise<void> {
  await sql`UPDATE server_manifest_state SET
      observed = COALESCE(${o.observed === undefined ? null : JSON.stringify(o.observed)}::jsonb, observed),
      observed_hash = ${o.hash}, observed_version = ${o.version}, updated_at = now()
    WHERE org_id = ${orgId} AND server_id = ${serverId}`.execute(tx);
}

export async function saveCheck(
  tx: Tx,
  orgId: string,
  serverId: string,
  c: { drift: Drift | null; driftedSince: Date | null; checked: boolean },
): Promise<void> {
  await sql`UPDATE server_manifest_state SET drift = ${c.drift === null ? null : JSON.stringify(c.drift)}::jsonb,
      drifted_since = ${c.driftedSince},
      checked_at = CASE WHEN ${c.checked} THEN now() ELSE NULL END, updated_at = now()
    WHERE org_id = ${orgId} AND server_id = ${serverId}`.execute(tx);
}

export async function findCurrent(tx: Tx, orgId: string, serverId: string): Promise<ManifestRow | undefined> {
  const { rows } = await sql<ManifestRow>`SELECT ${COLUMNS} FROM server_manifests
    WHERE org_id = ${orgId} AND server_id = ${serverId} AND state = 'current'`.execute(tx);
  return rows[0];
}

/** Earlier versions a rollback may return to, newest first. */
export async function rollbackCandidates(
  tx: Tx,
  orgId: string,
  serverId: string,
  before: number,
): Promise<ManifestRow[]> {
  const { rows } = await sql<ManifestRow>`SELECT ${COLUMNS} FROM server_manifests
    WHERE org_id = ${orgId} AND server_id = ${serverId} AND version < ${before} AND state <> 'rolled_back'
    ORDER BY version DESC`.execute(tx);
  return rows;
}

export async function listVersions(
  tx: Tx,
  orgId: string,
  serverId: string,
  limit: number,
  beforeVersion?: number,
): Promise<ManifestRow[]> {
  const { rows } = await sql<ManifestRow>`SELECT ${COLUMNS} FROM server_manifests
    WHERE org_id = ${orgId} AND server_id = ${serverId}
      AND (${beforeVersion ?? null}::integer IS NULL OR version < ${beforeVersion ?? null}::integer)
    ORDER BY version DESC LIMIT ${limit}`.execute(tx);
  return rows;
}

export async function nextVersion(tx: Tx, orgId: string, serverId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT COALESCE(max(version), 0) + 1 AS n FROM server_manifests
    WHERE org_id = ${orgId} AND server_id = ${serverId}`.execute(tx);
  return Number(rows[0]!.n);
}

export async function setState(tx: Tx, orgId: string, id: string, state: ManifestState): Promise<void> {
  await sql`UPDATE server_manifests SET state = ${state} WHERE org_id = ${orgId} AND id = ${id}`.execute(tx);
}

export async function insertManifest(
  tx: Tx,
  orgId: string,
  row: Omit<ManifestRow, 'created_at'>,
): Promise<void> {
  await sql`INSERT INTO server_manifests (org_id, id, server_id, version, state, source, issuer, kid, alg,
      signature, jws, payload, policy_hash, created_by)
    VALUES (${orgId}, ${row.id}, ${row.server_id}, ${row.version}, ${row.state}, ${row.source}, ${row.issuer},
      ${row.kid}, ${row.alg}, ${row.signature}, ${row.jws}, ${JSON.stringify(row.payload)}::jsonb,
      ${row.policy_hash}, ${row.created_by})`.execute(tx);
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
export async function summaries(tx: Tx, orgId: string, serverIds: readonly string[]): Promise<SummaryRow[]> {
  if (serverIds.length === 0) return [];
  const { rows } = await sql<SummaryRow>`SELECT m.server_id, m.version, m.issuer, m.kid, m.policy_hash,
      s.drift, s.drifted_since, s.checked_at
    FROM server_manifests m
    LEFT JOIN server_manifest_state s ON s.org_id = m.org_id AND s.server_id = m.server_id
    WHERE m.org_id = ${orgId} AND m.server_id = ANY(${serverIds as string[]}::uuid[]) AND m.state = 'current'`.execute(
    tx,
  );
  return rows;
}
