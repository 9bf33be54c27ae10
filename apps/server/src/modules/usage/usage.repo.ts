import { type RawBuilder, type Selectable, type SqlBool, sql } from 'kysely';
import { type KeysetKey, keysetOrder } from '../../kernel/index.ts';
import { paginateByKeyset, purgeInBatches, type Queries } from '../../platform/db/index.ts';
import type { UsageTables } from './usage.schema.ts';
import type { UsageFilter, UsageGroupBy } from './usage-filter.ts';
import type { UsageRow } from './usage-record.ts';

type Q = Queries<UsageTables>;
export type UsageRecordRow = Selectable<UsageTables['usage_records']>;

/** Newest first, ties by id: the table's primary key after org_id, so a page is one index range. */
export const USAGE_ORDER = keysetOrder({ at: 'timestamp', id: 'uuid' }, 'desc');

/**
 * One org's batch in one multi-row INSERT (migration 025; at most `batchRows` rows, 14 parameters each). A row
 * already stored (the retry of a batch whose commit was lost with its connection) is skipped, not an error.
 */
export async function insertUsageRecords(tx: Q, orgId: string, rows: readonly UsageRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto('usage_records')
    .values(
      rows.map((r) => ({
        org_id: orgId,
        id: r.id!,
        at: r.at,
        principal_kind: r.principalKind,
        principal_id: r.principalId,
        endpoint: r.endpoint,
        server_id: r.serverId,
        tool: r.tool,
        invocation_class: r.invocationClass,
        latency_ms: r.latencyMs,
        outcome: r.outcome,
        bytes_in: r.bytesIn,
        bytes_out: r.bytesOut,
        decision_id: r.decisionId,
      })),
    )
    .onConflict((oc) => oc.columns(['org_id', 'at', 'id']).doNothing())
    .execute();
}

/** The filter as one SQL condition (org first, for the indexes that lead with it). */
function where(orgId: string, f: UsageFilter) {
  const parts = [sql<SqlBool>`org_id = ${orgId}`];
  if (f.from !== undefined) parts.push(sql<SqlBool>`at >= ${f.from}`);
  if (f.to !== undefined) parts.push(sql<SqlBool>`at < ${f.to}`);
  if (f.server !== undefined) parts.push(sql<SqlBool>`server_id = ${f.server}`);
  if (f.tool !== undefined) parts.push(sql<SqlBool>`tool = ${f.tool}`);
  if (f.principal !== undefined) parts.push(sql<SqlBool>`principal_id = ${f.principal}`);
  if (f.outcome !== undefined) parts.push(sql<SqlBool>`outcome = ${f.outcome}`);
  if (f.endpoint !== undefined) parts.push(sql<SqlBool>`endpoint = ${f.endpoint}`);
  return sql<SqlBool>`${sql.join(parts, sql` AND `)}`;
}

export function listUsageRecords(
  tx: Q,
  orgId: string,
  f: UsageFilter,
  page: { after: KeysetKey | undefined; limit: number },
): Promise<UsageRecordRow[]> {
  const q = tx.selectFrom('usage_records').selectAll().where(where(orgId, f));
  return paginateByKeyset(q, USAGE_ORDER, page).execute();
}

export interface UsageSums {
  calls: number;
  ok: number;
  error: number;
  denied: number;
  upstream_error: number;
  timeout: number;
  p50_latency_ms: number | null;
  p95_latency_ms: number | null;
  bytes_in: number;
  bytes_out: number;
}

export type UsageGroupRow = UsageSums & {
  server_id: string | null;
  tool: string | null;
  principal_kind: string | null;
  principal_id: string | null;
  endpoint: string | null;
  day: string | null;
};

// Raw: the sums need FILTER clauses and ordered-set aggregates (percentile_cont), which the builder lacks.
// sum(bigint) is numeric; cast back so node-postgres hands a number (the bigint parser, platform/db).
const SUMS = sql`
  count(*)::integer AS calls,
  count(*) FILTER (WHERE outcome = 'ok')::integer AS ok,
  count(*) FILTER (WHERE outcome = 'error')::integer AS error,
  count(*) FILTER (WHERE outcome = 'denied')::integer AS denied,
  count(*) FILTER (WHERE outcome = 'upstream_error')::integer AS upstream_error,
  count(*) FILTER (WHERE outcome = 'timeout')::integer AS timeout,
  percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50_latency_ms,
  percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95_latency_ms,
  coalesce(sum(bytes_in), 0)::bigint AS bytes_in,
  coalesce(sum(bytes_out), 0)::bigint AS bytes_out`;

/** The key of each grouping: its expressions, as selected (with their names) and as grouped. */
const DAY = sql`to_char(date_trunc('day', at, 'UTC') AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
const KEYS: Readonly<Record<UsageGroupBy, { select: RawBuilder<unknown>; group: RawBuilder<unknown> }>> = {
  server: { select: sql`server_id`, group: sql`server_id` },
  tool: { select: sql`server_id, tool`, group: sql`server_id, tool` },
  principal: { select: sql`principal_kind, principal_id`, group: sql`principal_kind, principal_id` },
  endpoint: { select: sql`endpoint`, group: sql`endpoint` },
  day: { select: sql`${DAY} AS day`, group: DAY },
};

/** Days in time order; every other grouping busiest first, ties by key (a stable order for equal counts). */
const ORDER: Readonly<Record<UsageGroupBy, RawBuilder<unknown>>> = {
  server: sql`calls DESC, server_id`,
  tool: sql`calls DESC, server_id, tool`,
  principal: sql`calls DESC, principal_kind, principal_id`,
  endpoint: sql`calls DESC, endpoint`,
  day: sql`day`,
};

/**
 * The totals and the sums per group in ONE statement (`GROUPING SETS ((key), ())`), so both read the same
 * snapshot: a batch committed in between cannot make the groups add up to more than the totals. The totals row
 * comes first (`total`), then at most `limit + 1` groups (one more says the list was cut).
 */
export async function sumUsageBy(
  tx: Q,
  orgId: string,
  f: UsageFilter,
  groupBy: UsageGroupBy,
  limit: number,
): Promise<{ totals: UsageSums; groups: UsageGroupRow[] }> {
  const k = KEYS[groupBy];
  const { rows } = await sql<UsageGroupRow & { total: boolean }>`
    SELECT ${k.select}, (GROUPING(${k.group}) <> 0) AS total, ${SUMS}
    FROM usage_records WHERE ${where(orgId, f)}
    GROUP BY GROUPING SETS ((${k.group}), ())
    ORDER BY total DESC, ${ORDER[groupBy]} LIMIT ${limit + 2}
  `.execute(tx);
  const [totals, ...groups] = rows;
  return { totals: totals!, groups };
}

export async function sumUsage(tx: Q, orgId: string, f: UsageFilter): Promise<UsageSums> {
  const { rows } = await sql<UsageSums>`SELECT ${SUMS} FROM usage_records WHERE ${where(orgId, f)}`.execute(
    tx,
  );
  return rows[0]!;
}

/**
 * Retention (SPRINTCONNECT_USAGE_RETENTION_DAYS, ADR 0042): deletes the records of every org older than
 * `cutoff` through migration 025's definer door, `batch` rows per statement until none is left.
 */
export function deleteUsageRecordsBefore(db: Q, cutoff: Date, batch = 5000): Promise<number> {
  return purgeInBatches(db, 'purge_usage_records', cutoff, batch);
}
