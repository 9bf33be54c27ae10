import { type Db, type Tx, withTenant } from './tenant.ts';

/**
 * Did PostgreSQL refuse these rows themselves (SQLSTATE class 22 data exception, 23 integrity constraint
 * violation: a value out of range, a foreign key to an org deleted meanwhile)? Then writing them again can never
 * succeed, and retrying would hold the batch, and every row behind it, forever.
 */
export function isRowRejection(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

/**
 * A `BatchBuffer` writer for tenant rows: splits a batch by org and writes each org's rows in its own tenant
 * transaction (RLS holds: one org's rows never share a transaction with another's). An org whose write fails
 * has its rows returned for the retry, unless PostgreSQL refused the rows themselves (`isRowRejection`): those
 * are reported to `onRejected` and not retried. The other orgs' rows are written either way.
 */
export function writeByTenant<T extends { readonly orgId: string }>(
  db: Db,
  insert: (tx: Tx, orgId: string, rows: readonly T[]) => Promise<void>,
  opts: { onError?: ((e: unknown) => void) | undefined; onRejected?: ((n: number) => void) | undefined } = {},
): (rows: readonly T[]) => Promise<readonly T[]> {
  return async (rows) => {
    const byOrg = new Map<string, T[]>();
    for (const r of rows) {
      const list = byOrg.get(r.orgId);
      if (list === undefined) byOrg.set(r.orgId, [r]);
      else list.push(r);
    }
    const failed: T[] = [];
    for (const [orgId, list] of byOrg) {
      try {
        await withTenant(db, orgId, (tx) => insert(tx, orgId, list));
      } catch (e) {
        opts.onError?.(e);
        if (isRowRejection(e)) opts.onRejected?.(list.length);
        else failed.push(...list);
      }
    }
    return failed;
  };
}
