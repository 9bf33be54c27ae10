import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

export type Tx = Transaction<Database>;
export type Db = Kysely<Database>;

/**
 * What a repository is handed: the query builder over the tables `T` its module owns (ADR 0035). A table
 * outside `T` does not compile. `Kysely<T>` itself would not do: it is invariant in `T` (its transaction and
 * merge builders take the whole database both ways), so the app's `Tx` could not be passed where a module's
 * tables are asked for; these members alone are covariant, and the app's `Tx` and `Db` are both accepted.
 */
export type Queries<T> = Pick<
  Kysely<T>,
  'selectFrom' | 'insertInto' | 'updateTable' | 'deleteFrom' | 'selectNoFrom' | 'fn' | 'getExecutor'
>;

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
