import { type QueryExecutorProvider, sql } from 'kysely';
import { isUuid } from '../../kernel/index.ts';

/** What a fetch by id asks for: a row of `table` named by `id` (in `column`, default `id`) in the caller's org. */
export interface OwnedRef {
  readonly table: string;
  readonly orgId: string;
  readonly id: string;
  readonly column?: string;
  /** Ids of this resource are UUIDs (default): anything else is refused without a query. */
  readonly uuid?: boolean;
}

/**
 * Why a fetch by id found nothing the caller may see. The caller always gets the same 404; only the log tells
 * `other_org` (the id exists in another org: guessing or a leaked id) from `absent` and `malformed_id`.
 * `unknown` when the probe could not tell (ADR 0018).
 */
export type TenantGuardMiss = {
  readonly table: string;
  readonly orgId: string;
  readonly id: string;
  readonly reason: 'malformed_id' | 'absent' | 'other_org' | 'unknown';
};

const listeners = new Set<(miss: TenantGuardMiss) => void>();

/** Where misses go (the composition root logs them); returns the way to stop. */
export function onTenantGuardMiss(listener: (miss: TenantGuardMiss) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

async function report(
  tx: QueryExecutorProvider,
  ref: OwnedRef,
  reason: TenantGuardMiss['reason'] | 'probe',
): Promise<void> {
  if (listeners.size === 0) return;
  let why: TenantGuardMiss['reason'] = reason === 'probe' ? 'unknown' : reason;
  if (reason === 'probe') {
    // The door never raises, so the caller's transaction is never aborted by it.
    const { rows } = await sql<{ elsewhere: boolean | null }>`SELECT tenant_guard_elsewhere(
      ${ref.table}, ${ref.column ?? 'id'}, ${ref.id}) AS elsewhere`.execute(tx);
    const elsewhere = rows[0]?.elsewhere;
    why = elsewhere === true ? 'other_org' : elsewhere === false ? 'absent' : 'unknown';
  }
  const miss = { table: ref.table, orgId: ref.orgId, id: ref.id.slice(0, 100), reason: why };
  for (const listener of listeners) listener(miss);
}

/**
 * The one way a repository fetches a tenant resource by an id that came from outside (story 8.5): a malformed id
 * is refused without a query, and a row of another org is refused even on a connection that RLS does not
 * restrict (the owner's), so "not in your org" and "does not exist" are the same `undefined` to the caller.
 */
export async function findOwned<T>(
  tx: QueryExecutorProvider,
  ref: OwnedRef,
  load: (id: string) => Promise<T | undefined>,
): Promise<T | undefined> {
  if ((ref.uuid ?? true) && !isUuid(ref.id)) {
    await report(tx, ref, 'malformed_id');
    return undefined;
  }
  const row = await load(ref.id);
  if (row === undefined) {
    await report(tx, ref, 'probe');
    return undefined;
  }
  const owner = (row as { org_id?: unknown; orgId?: unknown }).org_id ?? (row as { orgId?: unknown }).orgId;
  if (owner !== undefined && owner !== ref.orgId) {
    await report(tx, ref, 'other_org');
    return undefined;
  }
  return row;
}

/** `findOwned`, throwing the resource's own not-found error (a 404) when there is nothing the caller may see. */
export async function requireOwned<T>(
  tx: QueryExecutorProvider,
  ref: OwnedRef,
  load: (id: string) => Promise<T | undefined>,
  notFound: (id: string) => Error,
): Promise<T> {
  const row = await findOwned(tx, ref, load);
  if (row === undefined) throw notFound(ref.id);
  return row;
}
