import { type RawBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { CursorField, KeysetKey, KeysetOrder } from '../../kernel/index.ts';

/** The type each kind of cursor value is compared as: what the key column is. */
const CAST: Readonly<Record<CursorField, RawBuilder<unknown>>> = {
  timestamp: sql`timestamptz`,
  uuid: sql`uuid`,
  int: sql`integer`,
  text: sql`text`,
};

/**
 * Keyset pagination (issue 9 point 4), the SQL half (kernel's `keysetPage` cuts the page): the rows of `query`
 * after the cursor's key in `order`, in that order, one more than the page. The key is compared as one row
 * value, `(created_at, id) < ($1, $2)`, which Postgres reads as one range of an index on those columns.
 */
export function paginateByKeyset<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  order: KeysetOrder,
  page: { after: KeysetKey | undefined; limit: number },
): SelectQueryBuilder<DB, TB, O> {
  let q = query;
  if (page.after !== undefined) {
    const after = page.after;
    // Raw: the builder types a row value per table (`refTuple`), and this helper serves any list's columns.
    const columns = sql.join(order.keys.map(([column]) => sql.ref(column)));
    const values = sql.join(order.keys.map(([, kind], i) => sql`${after[i]}::${CAST[kind]}`));
    const op = sql.raw(order.direction === 'asc' ? '>' : '<');
    q = q.where(sql<SqlBool>`(${columns}) ${op} (${values})`);
  }
  for (const [column] of order.keys) q = q.orderBy(sql.ref(column), order.direction);
  return q.limit(page.limit + 1);
}
