import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type Tx = Transaction<Database>;
export type Db = Kysely<Database>;

/**
 * Runs `fn` in a transaction whose tenant is `orgId`: `SET LOCAL app.org_id` (via set_config(..., true)) scopes
 * every RLS policy to that org until commit or rollback, so a pooled connection never carries a tenant over.
 */
export async function withTenant<T>(db: Db, orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT set_config('app.org_id', ${orgId}, true)`.execute(tx);
    return fn(tx);
  });
}

/** Lets a library that speaks raw SQL (the job queue) run its statements inside our transaction. */
export function sqlExecutorFor(tx: Tx) {
  return async (text: string, values: unknown[]): Promise<{ rows: unknown[] }> => {
    const r = await tx.executeQuery(CompiledQuery.raw(text, values));
    return { rows: r.rows as unknown[] };
  };
}
