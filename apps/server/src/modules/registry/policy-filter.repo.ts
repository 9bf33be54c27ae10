import { type Expression, expressionBuilder, type SqlBool, sql } from 'kysely';
import type { FilterCond, ServerAttr } from '../authz/index.ts';
import type { ServersTable } from './registry.schema.ts';

/**
 * A policy's server condition (the authz contract's pure `ResourceFilter.server`, which the policy module
 * translates from Cedar's residual) over the registry's server row aliased `s`. Every comparison is plain `=`
 * or `@>` on a column, so the planner keeps the servers' primary key and list index under RLS. Capabilities do
 * not decide whether a server is shown (ADR 0036), so the registry compiles no capability condition: search
 * compiles those over its own index.
 */
const eb = expressionBuilder<{ s: ServersTable }, 's'>();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMN = {
  'server.id': 's.id',
  'server.name': 's.name',
  'server.environment': 's.environment',
} as const;

export function serverCondition(c: FilterCond<ServerAttr>): Expression<SqlBool> {
  switch (c.op) {
    case 'const':
      return eb.lit(c.value);
    case 'and':
    case 'or': {
      const args = c.args.map(serverCondition);
      if (args.length === 0) return eb.lit(c.op === 'and');
      return c.op === 'and' ? eb.and(args) : eb.or(args);
    }
    case 'not':
      return eb.not(serverCondition(c.arg));
    case 'eq':
      // Server ids are uuids: another value (`Server::"billing"`) names no server, and would not cast.
      if (c.attr === 'server.id' && !UUID.test(c.value)) return eb.lit(false);
      return eb(eb.ref(COLUMN[c.attr]), '=', c.value);
    case 'tag':
      return eb('s.tags', '@>', sql<string[]>`ARRAY[${c.value}]::text[]`);
  }
}
