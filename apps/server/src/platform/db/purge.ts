import { type QueryExecutorProvider, sql } from 'kysely';

/**
 * Retention through a purge door: a SECURITY DEFINER function `fn(before timestamptz, size integer)` that deletes
 * at most `size` rows older than `before` across orgs and returns how many (`purge_api_key_usage`, migration 022;
 * `purge_usage_records`, 025). Called until a call deletes fewer than `size`, each call its own short statement,
 * so a large backlog never holds one long transaction. Returns how many rows went.
 */
export async function purgeInBatches(
  db: QueryExecutorProvider,
  fn: string,
  before: Date,
  batch = 5000,
): Promise<number> {
  // The doors delete at most 10,000 rows per call.
  const size = Math.min(Math.max(1, Math.floor(batch)), 10_000);
  let total = 0;
  for (;;) {
    const { rows } = await sql<{ n: number }>`SELECT ${sql.id(fn)}(${before}, ${size}) AS n`.execute(db);
    const n = Number(rows[0]?.n ?? 0);
    total += n;
    if (n < size) return total;
  }
}
