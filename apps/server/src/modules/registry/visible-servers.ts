import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import type { VisibleServers } from '../authz/index.ts';
import { type ListFilter, listServers, type ServerRow } from './servers.repo.ts';

/** Rows examined per request at most when the PDP decides each: a page may come back short, with a cursor. */
export const MAX_EXAMINED = 2_000;

/**
 * A page of servers the caller may see, when its policy could not become part of the query (ADR 0020): rows
 * are read in list order in chunks and each is decided (decisions cached), until `want` are allowed or the
 * org's list ends. `resumeAfter` is the last row examined when the examination budget ran out first, so the
 * next page starts there: a filtered page never skips or repeats a server.
 */
export async function listVisibleBatch(
  db: Db,
  orgId: string,
  f: Omit<ListFilter, 'limit' | 'policy'>,
  want: number,
  scope: Extract<VisibleServers, { mode: 'batch' }>,
): Promise<{ rows: ServerRow[]; resumeAfter?: { createdAt: string; id: string } }> {
  const allowed: ServerRow[] = [];
  let after = f.after;
  let examined = 0;
  const chunk = Math.min(Math.max(want * 2, 50), 500);
  for (;;) {
    const rows = await withTenant(db, orgId, (tx) => listServers(tx, orgId, { ...f, after, limit: chunk }));
    for (const row of rows) {
      examined += 1;
      // Only the server decides: a capability it refuses is withheld where capabilities are shown (ADR 0036).
      if (scope.showsServer(row)) allowed.push(row);
      if (allowed.length >= want) return { rows: allowed };
    }
    const last = rows.at(-1);
    if (rows.length < chunk || last === undefined) return { rows: allowed };
    after = { createdAt: last.created_at.toISOString(), id: last.id };
    if (examined >= MAX_EXAMINED) return { rows: allowed, resumeAfter: after };
  }
}
