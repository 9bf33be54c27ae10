import { type RawBuilder, sql } from 'kysely';
import type { FilterAttr, FilterCond, ResourceFilter } from '../authz/index.ts';

/**
 * A policy filter (the authz contract's `ResourceFilter`, which the policy module translates from Cedar's
 * residual) as SQL over a server row `s` (org_id, id, name, environment, tags) and, for capabilities, the
 * current rows of `capabilities`. Every comparison is plain `=` or `@>` on columns, so
 * the planner keeps the servers' primary key and the capabilities' (org_id, server_id, ...) key under RLS.
 */
const column = (alias: string, attr: FilterAttr): RawBuilder<unknown> => {
  switch (attr) {
    case 'server.id':
      return sql.ref(`${alias}.id`);
    case 'server.name':
      return sql.ref(`${alias}.name`);
    case 'server.environment':
      return sql.ref(`${alias}.environment`);
    case 'capability.name':
      return sql.ref('pc.name');
    case 'capability.kind':
      return sql.ref('pc.kind');
  }
};

function compile(c: FilterCond, s: string): RawBuilder<boolean> {
  switch (c.op) {
    case 'const':
      return c.value ? sql<boolean>`true` : sql<boolean>`false`;
    case 'and':
      return sql<boolean>`(${sql.join(
        c.args.map((a) => compile(a, s)),
        sql` AND `,
      )})`;
    case 'or':
      return sql<boolean>`(${sql.join(
        c.args.map((a) => compile(a, s)),
        sql` OR `,
      )})`;
    case 'not':
      return sql<boolean>`NOT ${compile(c.arg, s)}`;
    case 'eq':
      return c.attr === 'server.id'
        ? sql<boolean>`${column(s, c.attr)} = ${c.value}::uuid`
        : sql<boolean>`${column(s, c.attr)}::text = ${c.value}`;
    case 'tag':
      return sql<boolean>`${sql.ref(`${s}.tags`)} @> ARRAY[${c.value}]::text[]`;
  }
}

/**
 * The condition a server row aliased `s` must meet: its own filter, and none of its current capabilities
 * failing theirs (left out when the filter cannot fail for any capability).
 */
export function policyFilterSql(filter: ResourceFilter, s: string): RawBuilder<boolean> {
  const own = compile(filter.server, s);
  if (filter.capability.op === 'const' && filter.capability.value) return own;
  return sql<boolean>`(${own} AND NOT EXISTS (
    SELECT 1 FROM capabilities pc
    WHERE pc.org_id = ${sql.ref(`${s}.org_id`)} AND pc.server_id = ${sql.ref(`${s}.id`)}
      AND NOT ${compile(filter.capability, s)}))`;
}
