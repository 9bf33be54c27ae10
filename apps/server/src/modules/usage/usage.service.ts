import type {
  ListUsageFilter,
  UsagePage,
  UsageRecordView,
  UsageSummaryView as UsageSummary,
  UsageSummaryFilter,
} from '@sprintconnect/contracts';
import { keysetPage, readKeyset } from '../../kernel/index.ts';
import { type Db, withTenant } from '../../platform/db/index.ts';
import {
  listUsageRecords,
  sumUsage,
  sumUsageBy,
  USAGE_ORDER,
  type UsageGroupRow,
  type UsageRecordRow,
  type UsageSums,
} from './usage.repo.ts';
import { readUsageFilter } from './usage-filter.ts';

/** GET /v1/usage and /v1/usage/summary (issue 11 point 8): one org's records, under its RLS. */
export interface UsageReader {
  list(orgId: string, q: ListUsageFilter): Promise<UsagePage>;
  summary(orgId: string, q: UsageSummaryFilter): Promise<UsageSummary>;
}

const toView = (r: UsageRecordRow): UsageRecordView => ({
  id: r.id,
  at: r.at.toISOString(),
  principal: { kind: r.principal_kind, id: r.principal_id },
  endpoint: r.endpoint,
  serverId: r.server_id,
  tool: r.tool,
  invocationClass: r.invocation_class,
  latencyMs: r.latency_ms,
  outcome: r.outcome,
  bytesIn: r.bytes_in,
  bytesOut: r.bytes_out,
  decisionId: r.decision_id,
});

const sums = (s: UsageSums) => ({
  calls: s.calls,
  outcomes: {
    ok: s.ok,
    error: s.error,
    denied: s.denied,
    upstream_error: s.upstream_error,
    timeout: s.timeout,
  },
  errors: s.error + s.upstream_error + s.timeout,
  denied: s.denied,
  latencyMs: { p50: s.p50_latency_ms, p95: s.p95_latency_ms },
  bytesIn: s.bytes_in,
  bytesOut: s.bytes_out,
});

function keyOf(g: UsageGroupRow): UsageSummary['groups'][number]['key'] {
  const key: UsageSummary['groups'][number]['key'] = {};
  if (g.server_id != null) key.serverId = g.server_id;
  if (g.tool != null) key.tool = g.tool;
  if (g.principal_kind != null && g.principal_id != null) {
    key.principal = { kind: g.principal_kind, id: g.principal_id };
  }
  if (g.endpoint != null) key.endpoint = g.endpoint;
  if (g.day != null) key.day = g.day;
  return key;
}

export function createUsageReader(deps: { db: Db }): UsageReader {
  const { db } = deps;
  return {
    async list(orgId, q) {
      const filter = readUsageFilter(q);
      const limit = q.limit ?? 50;
      const after = readKeyset(USAGE_ORDER, q.cursor);
      const rows = await withTenant(db, orgId, (tx) => listUsageRecords(tx, orgId, filter, { after, limit }));
      const page = keysetPage(USAGE_ORDER, rows, limit);
      return { items: page.items.map(toView), nextCursor: page.nextCursor };
    },

    async summary(orgId, q) {
      const filter = readUsageFilter(q);
      const limit = q.limit ?? 100;
      const groupBy = q.groupBy ?? null;
      const { totals, groups } = await withTenant(db, orgId, async (tx) =>
        groupBy === null
          ? { totals: await sumUsage(tx, orgId, filter), groups: [] as UsageGroupRow[] }
          : sumUsageBy(tx, orgId, filter, groupBy, limit),
      );
      return {
        from: filter.from?.toISOString() ?? null,
        to: filter.to?.toISOString() ?? null,
        groupBy,
        totals: sums(totals),
        groups: groups.slice(0, limit).map((g) => ({ key: keyOf(g), ...sums(g) })),
        truncated: groups.length > limit,
      };
    },
  };
}
