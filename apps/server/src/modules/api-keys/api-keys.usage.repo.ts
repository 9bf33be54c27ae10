import { sql } from 'kysely';
import { purgeInBatches, type Queries } from '../../platform/db/index.ts';
import type { ApiKeysTables } from './api-keys.schema.ts';

type Q = Queries<ApiKeysTables>;

/** The usage records of API keys (`api_key_usage`, migration 004): written in batches, kept for a retention. */
export interface UsageRow {
  orgId: string;
  id: string;
  keyId: string;
  usedAt: Date;
  method: string;
  route: string;
  status: number;
  requestId: string | null;
}

/** One org's batch of uses, and each key's latest use as its last_used_at (never moved backwards). */
export async function insertUsage(tx: Q, orgId: string, rows: readonly UsageRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto('api_key_usage')
    .values(
      rows.map((r) => ({
        org_id: orgId,
        id: r.id,
        key_id: r.keyId,
        used_at: r.usedAt,
        method: r.method,
        route: r.route,
        status: r.status,
        request_id: r.requestId,
      })),
    )
    .execute();
  const latest = new Map<string, Date>();
  for (const r of rows) {
    const seen = latest.get(r.keyId);
    if (seen === undefined || seen < r.usedAt) latest.set(r.keyId, r.usedAt);
  }
  const ids = [...latest.keys()];
  const ats = ids.map((id) => latest.get(id)!.toISOString());
  // Raw: one UPDATE ... FROM unnest(ids, times) for the whole batch; the builder has no typed unnest.
  await sql`
    UPDATE api_keys k SET last_used_at = u.at
    FROM unnest(${ids}::uuid[], ${ats}::timestamptz[]) AS u(id, at)
    WHERE k.org_id = ${orgId} AND k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)
  `.execute(tx);
}

/**
 * Retention (SPRINTCONNECT_API_KEY_USAGE_RETENTION_DAYS, ADR 0037): deletes the usage records of every org used
 * before `cutoff`, through the definer door of migration 022, in batches of `batch` rows (each its own short
 * statement) until none is left. Returns how many it deleted.
 */
export function deleteUsageOlderThan(db: Q, cutoff: Date, batch = 5000): Promise<number> {
  return purgeInBatches(db, 'purge_api_key_usage', cutoff, batch);
}
