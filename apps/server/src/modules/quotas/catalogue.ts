/**
 * The one catalogue of quotas: every limit on how much an organization may hold or do, with its default.
 * An admin may override a default per org (`PUT /v1/quotas/{name}`); enforcement is `QuotaService.take`,
 * called by the owning module inside the transaction that creates the thing (ADR 0016, ADR 0025).
 *
 * - `count`: how many exist now (servers, API keys). Kept as a counter in `quota_usage`; the owning module
 *   supplies the count of its rows, which the counter is recounted from now and then; deleting one frees a slot.
 * - `per_day`: how many were started in the org's current day (its `time_zone`, UTC by default). Counted here,
 *   in `quota_periods`, when taken; the count resets at local midnight.
 *
 * Later issues add their quotas here (webhooks, tool_invocations_per_day, ...); the module that owns a `count`
 * quota's rows hands its counter over at creation (`QuotaService.counted`, ADR 0028).
 */
export type QuotaKind = 'count' | 'per_day';

export interface QuotaSpec {
  readonly kind: QuotaKind;
  readonly default: number;
  /** What one unit is, for messages: "server", "discovery". */
  readonly unit: string;
  readonly description: string;
  /** What the caller can do besides asking an admin, for the problem's detail. */
  readonly relief: string;
}

export const QUOTAS = {
  servers: {
    kind: 'count',
    default: 500,
    unit: 'server',
    description: 'MCP servers registered in the organization.',
    relief: 'Delete a server you no longer need',
  },
  discoveries_per_day: {
    kind: 'per_day',
    default: 1000,
    unit: 'discovery',
    description:
      "Capability discoveries started per day (the organization's time zone), including those started by registration.",
    relief: 'Wait for the next day',
  },
  api_keys: {
    kind: 'count',
    default: 100,
    unit: 'API key',
    description: 'Active API keys (neither revoked nor expired).',
    relief: 'Revoke a key you no longer need',
  },
} as const satisfies Record<string, QuotaSpec>;

export type QuotaName = keyof typeof QUOTAS;

export type CountQuotaName = {
  [K in QuotaName]: (typeof QUOTAS)[K]['kind'] extends 'count' ? K : never;
}[QuotaName];

export type DailyQuotaName = Exclude<QuotaName, CountQuotaName>;

export const QUOTA_NAMES: readonly QuotaName[] = Object.freeze(Object.keys(QUOTAS) as QuotaName[]);

export const isQuotaName = (s: string): s is QuotaName => Object.hasOwn(QUOTAS, s);

/** The largest limit an admin may set: far above any real need, and exact as a JavaScript number. */
export const MAX_QUOTA_LIMIT = 1_000_000_000;
