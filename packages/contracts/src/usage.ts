import { type Static, Type } from '@sinclair/typebox';
import { DateTime, PageQuery, StringEnum } from './common.ts';

/** GET /v1/usage and /v1/usage/summary: the usage records of calls through the MCP gateway (ADR 0042). */
export const USAGE_OUTCOMES = ['ok', 'error', 'denied', 'upstream_error', 'timeout'] as const;
export const USAGE_GROUP_BY = ['server', 'tool', 'principal', 'endpoint', 'day'] as const;

// Names and ids as the gateway records them; bounded, and printable (no control characters) like every query.
const Name = (description: string, maxLength = 300) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[^\\u0000-\\u001f\\u007f]+$', description });

const UsageFilterQuery = {
  from: Type.Optional(
    Type.String({ format: 'date-time', description: 'Records at or after this time (RFC 3339), inclusive' }),
  ),
  to: Type.Optional(
    Type.String({ format: 'date-time', description: 'Records before this time (RFC 3339), exclusive' }),
  ),
  server: Type.Optional(Name('Only calls to this server (its id)', 200)),
  tool: Type.Optional(Name('Only calls of this tool (its upstream name)')),
  principal: Type.Optional(Name('Only calls by this principal (API key, user or client id)')),
  outcome: Type.Optional(StringEnum(USAGE_OUTCOMES)),
  endpoint: Type.Optional(
    Name('Only calls through this endpoint: `default` (/mcp) or a virtual server slug', 200),
  ),
};

export const ListUsageQuery = Type.Object(
  { ...UsageFilterQuery, ...PageQuery },
  { additionalProperties: false },
);
export type ListUsageFilter = Static<typeof ListUsageQuery>;

export const UsageRecordSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    at: DateTime,
    principal: Type.Object({
      kind: StringEnum(['api_key', 'user', 'client']),
      id: Type.String(),
    }),
    endpoint: Type.String({ description: '`default` (/mcp) or the virtual server slug' }),
    serverId: Type.String(),
    tool: Type.String(),
    invocationClass: Type.Union([Type.String(), Type.Null()]),
    latencyMs: Type.Integer(),
    outcome: StringEnum(USAGE_OUTCOMES),
    bytesIn: Type.Integer(),
    bytesOut: Type.Integer(),
    decisionId: Type.Union([Type.String(), Type.Null()], {
      description: 'The policy decision of the call (for a denial: the id its JSON-RPC error named)',
    }),
  },
  {
    examples: [
      {
        id: '01938f4e-8a10-7c3a-9b1e-2f4c5d6e7a8b',
        at: '2026-12-07T21:40:12.345Z',
        principal: { kind: 'api_key', id: '01938f00-1111-7aaa-8bbb-cccccccccccc' },
        endpoint: 'default',
        serverId: '01938e00-2222-7ddd-8eee-ffffffffffff',
        tool: 'search_issues',
        invocationClass: 'read',
        latencyMs: 182,
        outcome: 'ok',
        bytesIn: 96,
        bytesOut: 4210,
        decisionId: 'dec_01938f4e8a0f',
      },
    ],
  },
);
export type UsageRecordView = Static<typeof UsageRecordSchema>;

export const UsagePageSchema = Type.Object({
  items: Type.Array(UsageRecordSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
export type UsagePage = Static<typeof UsagePageSchema>;

export const UsageSummaryQuery = Type.Object(
  {
    ...UsageFilterQuery,
    groupBy: Type.Optional(
      StringEnum(USAGE_GROUP_BY, {
        description:
          'Sum per server, per tool (of a server), per principal, per endpoint, or per UTC day. Without it, only ' +
          'the totals.',
      }),
    ),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'Most groups returned' }),
    ),
  },
  { additionalProperties: false },
);
export type UsageSummaryFilter = Static<typeof UsageSummaryQuery>;

const Sums = {
  calls: Type.Integer(),
  outcomes: Type.Object(
    {
      ok: Type.Integer(),
      error: Type.Integer(),
      denied: Type.Integer(),
      upstream_error: Type.Integer(),
      timeout: Type.Integer(),
    },
    { description: 'Calls by outcome' },
  ),
  errors: Type.Integer({
    description: 'Calls that failed: `error` + `upstream_error` + `timeout` (not `denied`)',
  }),
  denied: Type.Integer({ description: 'Calls the policy refused' }),
  latencyMs: Type.Object(
    {
      p50: Type.Union([Type.Integer(), Type.Null()]),
      p95: Type.Union([Type.Integer(), Type.Null()]),
    },
    { description: 'Latency percentiles (nearest rank, an observed value); null with no calls' },
  ),
  bytesIn: Type.Integer(),
  bytesOut: Type.Integer(),
};

export const UsageGroupSchema = Type.Object({
  key: Type.Object(
    {
      serverId: Type.Optional(Type.String()),
      tool: Type.Optional(Type.String()),
      principal: Type.Optional(Type.Object({ kind: Type.String(), id: Type.String() })),
      endpoint: Type.Optional(Type.String()),
      day: Type.Optional(Type.String({ description: 'UTC day, YYYY-MM-DD' })),
    },
    { description: 'What the group shares: the fields of `groupBy`' },
  ),
  ...Sums,
});

export const UsageSummarySchema = Type.Object(
  {
    from: Type.Union([DateTime, Type.Null()]),
    to: Type.Union([DateTime, Type.Null()]),
    groupBy: Type.Union([StringEnum(USAGE_GROUP_BY), Type.Null()]),
    totals: Type.Object(Sums, { description: 'Over every record the filter covers, grouped or not' }),
    groups: Type.Array(UsageGroupSchema, {
      description: 'Busiest first (by calls, ties by key); per day in time order. Empty without `groupBy`.',
    }),
    truncated: Type.Boolean({ description: 'More groups exist than `limit`' }),
  },
  {
    examples: [
      {
        from: '2026-12-01T00:00:00.000Z',
        to: '2026-12-08T00:00:00.000Z',
        groupBy: 'tool',
        totals: {
          calls: 1250,
          outcomes: { ok: 1190, error: 12, denied: 40, upstream_error: 6, timeout: 2 },
          errors: 20,
          denied: 40,
          latencyMs: { p50: 140, p95: 910 },
          bytesIn: 120_400,
          bytesOut: 5_210_880,
        },
        groups: [
          {
            key: { serverId: '01938e00-2222-7ddd-8eee-ffffffffffff', tool: 'search_issues' },
            calls: 1000,
            outcomes: { ok: 990, error: 4, denied: 4, upstream_error: 2, timeout: 0 },
            errors: 6,
            denied: 4,
            latencyMs: { p50: 120, p95: 640 },
            bytesIn: 96_000,
            bytesOut: 4_100_000,
          },
        ],
        truncated: false,
      },
    ],
  },
);
export type UsageSummaryView = Static<typeof UsageSummarySchema>;
