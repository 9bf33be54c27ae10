import { type Expression, expressionBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../../platform/db/index.ts';
import type { FilterCond, ServerAttr } from '../authz/index.ts';
import { serverCondition } from './policy-filter.repo.ts';

/**
 * The registry's servers as subqueries another module's statement may compose (search's, ADR 0036): the
 * conditions on servers' columns are written here, by the module that owns them, and a composing statement
 * only reads the rows they return, whose columns are the authz contract's `ServerFacts` (`id`, `name`,
 * `environment`, `tags`) or, for a result, `ServerCard`. One statement still runs, so nothing is lost to round
 * trips: the planner sees the same SQL as when search wrote it itself.
 */
export interface ServerScope {
  readonly orgId: string;
  readonly environment?: string | null | undefined;
  /** Servers having every one of these tags. */
  readonly tags?: readonly string[] | undefined;
  /** The caller's policy on servers (ADR 0020). */
  readonly policy?: FilterCond<ServerAttr> | undefined;
  /** Only these servers (the ones a batch of PDP decisions allowed). */
  readonly ids?: readonly string[] | undefined;
}

/** References to a server row's id and name, for a condition the composing module adds to a walk. */
export interface ServerRowRefs {
  readonly id: Expression<string>;
  readonly name: Expression<string>;
}

const one = sql.lit(1);

function inScope(scope: ServerScope) {
  let q = expressionBuilder<Database>()
    .selectFrom('servers as s')
    .select(['s.id', 's.name', 's.environment', 's.tags'])
    .where('s.org_id', '=', scope.orgId);
  const { environment, tags, policy, ids } = scope;
  if (environment !== undefined && environment !== null) {
    q = q.where('s.environment', '=', environment as Database['servers']['environment']);
  }
  if (tags !== undefined && tags.length > 0) q = q.where('s.tags', '@>', sql<string[]>`${tags}::text[]`);
  if (policy !== undefined) q = q.where(serverCondition(policy));
  if (ids !== undefined) q = q.where('s.id', '=', sql<string>`ANY (${[...ids]}::uuid[])`);
  return q;
}

/** Whether the scope asks more of a server than being the org's (which a foreign key to it already says). */
export function scopeNarrows(scope: ServerScope): boolean {
  const everyone = scope.policy === undefined || (scope.policy.op === 'const' && scope.policy.value);
  return (
    (scope.environment !== undefined && scope.environment !== null) ||
    (scope.tags !== undefined && scope.tags.length > 0) ||
    scope.ids !== undefined ||
    !everyone
  );
}

/**
 * Server `id` (a column of the composing statement) if it is in scope: at most one row of `ServerFacts`, by
 * primary key. LIMIT 1 keeps the planner from turning a LATERAL of it into a hash join over every server of the
 * org when it guesses many outer rows.
 */
export function serverInScope(scope: ServerScope, id: Expression<string>) {
  return inScope(scope).where('s.id', '=', id).limit(one);
}

/**
 * The scope's servers in (name, id) order (the servers_by_name index), each also meeting `also`, at most
 * `limit`: a walk that stops as soon as the page is full.
 */
export function serversInNameOrder(
  scope: ServerScope,
  also: (s: ServerRowRefs) => Expression<SqlBool>,
  limit: number,
) {
  return inScope(scope)
    .where(also({ id: sql.ref<string>('s.id'), name: sql.ref<string>('s.name') }))
    .orderBy('s.name')
    .orderBy('s.id')
    .limit(sql.lit(limit));
}

/** What a search result shows of server `id`: one row, by primary key. */
export function serverCard(orgId: string, id: Expression<string>) {
  return expressionBuilder<Database>()
    .selectFrom('servers as s')
    .select(['s.id', 's.name', 's.url', 's.environment', 's.tags', 's.description', 's.status'])
    .where('s.org_id', '=', orgId)
    .where('s.id', '=', id);
}
