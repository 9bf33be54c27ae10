import { type Static, Type } from '@sinclair/typebox';
import { DateTime, StringEnum } from './common.ts';

/**
 * A non-negative integer or null, as one JSON Schema type list: with a union, the server's type coercion would
 * turn `null` into 0 (or 0 into null) before the right branch was tried.
 */
const NullableLimit = (maximum: number, description: string) =>
  Type.Unsafe<number | null>({ type: ['integer', 'null'], minimum: 0, maximum, description });

/** One quota of the organization: its limit (default or overridden) and what is used now. */
export const QuotaSchema = Type.Object(
  {
    name: Type.String({ description: 'Catalogue name, e.g. `servers`' }),
    description: Type.String(),
    kind: StringEnum(['count', 'per_day'], {
      description: '`count`: how many exist now; `per_day`: how many were started today (org time zone)',
    }),
    limit: Type.Integer(),
    default: Type.Integer(),
    overridden: Type.Boolean({ description: 'Whether an admin set this limit for the organization' }),
    used: Type.Integer(),
    remaining: Type.Integer(),
    period: Type.Union([
      Type.Object({ key: Type.String({ examples: ['2026-11-25'] }), resetsAt: DateTime }),
      Type.Null(),
    ]),
  },
  {
    $id: 'Quota',
    title: 'Quota',
    examples: [
      {
        name: 'servers',
        description: 'MCP servers registered in the organization.',
        kind: 'count',
        limit: 500,
        default: 500,
        overridden: false,
        used: 12,
        remaining: 488,
        period: null,
      },
    ],
  },
);
export type QuotaView = Static<typeof QuotaSchema>;

export const QuotaListSchema = Type.Object({ items: Type.Array(QuotaSchema) });

export const QuotaParams = Type.Object({ name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }) });

export const SetQuotaBody = Type.Object(
  {
    limit: NullableLimit(1_000_000_000, 'The new limit; null returns to the default'),
  },
  { additionalProperties: false, examples: [{ limit: 1000 }] },
);
export interface SetQuotaInput {
  limit: number | null;
}

/** The organization's monthly usage budget and what this month has used. */
export const BudgetSchema = Type.Object(
  {
    unit: Type.String({ description: 'What is counted: `api_calls` (authenticated /v1 requests)' }),
    month: Type.String({ examples: ['2026-11'], description: 'The current UTC month' }),
    limit: Type.Integer(),
    mode: StringEnum(['block', 'throttle'], {
      description:
        'When exhausted: `block` refuses with 429 budget_exhausted until the month ends; `throttle` allows a ' +
        'lower per-minute rate (429 rate_limited beyond it)',
    }),
    throttlePerMinute: Type.Integer({
      description: 'The per-org rate once a `throttle` budget is exhausted',
    }),
    overridden: Type.Boolean(),
    used: Type.Integer({ description: 'Counted in batches: may trail live traffic by a few seconds' }),
    remaining: Type.Integer(),
    percent: Type.Number(),
    resetsAt: DateTime,
    alerts: Type.Object({
      at80: Type.Union([DateTime, Type.Null()]),
      at100: Type.Union([DateTime, Type.Null()]),
    }),
  },
  {
    $id: 'Budget',
    title: 'Budget',
    examples: [
      {
        unit: 'api_calls',
        month: '2026-11',
        limit: 1_000_000,
        mode: 'throttle',
        throttlePerMinute: 60,
        overridden: false,
        used: 1234,
        remaining: 998_766,
        percent: 0.12,
        resetsAt: '2026-12-01T00:00:00.000Z',
        alerts: { at80: null, at100: null },
      },
    ],
  },
);
export type BudgetView = Static<typeof BudgetSchema>;

export const SetBudgetBody = Type.Object(
  {
    limit: NullableLimit(1_000_000_000_000, 'Calls per month; null returns to the default'),
    mode: Type.Optional(StringEnum(['block', 'throttle'])),
  },
  { additionalProperties: false, examples: [{ limit: 200000, mode: 'block' }] },
);
export interface SetBudgetInput {
  limit: number | null;
  mode?: 'block' | 'throttle';
}
