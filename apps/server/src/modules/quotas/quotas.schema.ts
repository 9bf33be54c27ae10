import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../platform/db/index.ts';

/** Migration 010: an admin's override of a quota's default. */
export interface QuotaOverridesTable {
  org_id: string;
  quota: string;
  limit_value: ColumnType<number, number, number>;
  updated_at: Timestamp;
  updated_by: string;
}

/** Migration 010: what a per-period quota has used in one period. */
export interface QuotaPeriodsTable {
  org_id: string;
  quota: string;
  period: string;
  used: ColumnType<number, number | undefined, number>;
}

/** Migration 015: the running count of a `count` quota, recounted from the real rows now and then (ADR 0025). */
export interface QuotaUsageTable {
  org_id: string;
  quota: string;
  used: ColumnType<number, number, number>;
  reconciled_at: Timestamp | null;
}

/** Migration 010: an org's monthly usage budget for one unit. */
export interface UsageBudgetsTable {
  org_id: string;
  unit: string;
  monthly_limit: ColumnType<number, number, number>;
  mode: 'block' | 'throttle';
  updated_at: Timestamp;
  updated_by: string;
}

/** Migration 010: usage per org, unit and UTC month. */
export interface UsageMonthsTable {
  org_id: string;
  unit: string;
  month: string;
  used: ColumnType<number, number | undefined, number>;
  alerted_80_at: Timestamp | null;
  alerted_100_at: Timestamp | null;
}

/** The tables quotas owns: no other module names them (ADR 0035). */
export interface QuotasTables {
  quota_overrides: QuotaOverridesTable;
  quota_periods: QuotaPeriodsTable;
  quota_usage: QuotaUsageTable;
  usage_budgets: UsageBudgetsTable;
  usage_months: UsageMonthsTable;
}
