import { type Db, type Tx, withTenant } from './tenant.ts';

/**
 * A `BatchBuffer` writer for tenant rows: splits a batch by org and writes each org's rows in its own tenant
 * transaction (RLS holds: one org's rows never share a transaction with another's). An org whose write fails
 * has its rows returned for the retry; the others are written.
 */
export function writeByTenant<T extends { readonly orgId: string }>(
  db: Db,
  insert: (tx: Tx, orgId: string, rows: readonly T[]) => Promise<void>,
  onError?: (e: unknown) => void,
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
        onError?.(e);
        failed.push(...list);
      }
    }
    return failed;
  };
}
