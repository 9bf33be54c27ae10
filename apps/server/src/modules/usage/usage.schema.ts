import type { Timestamp } from '../../platform/db/index.ts';
import type { Outcome, PrincipalKind } from './usage-record.ts';

/** Migration 025: one row per call through the gateway, appended in batches (ADR 0042). */
export interface UsageRecordsTable {
  org_id: string;
  id: string;
  at: Timestamp;
  principal_kind: PrincipalKind;
  principal_id: string;
  endpoint: string;
  server_id: string;
  tool: string;
  invocation_class: string | null;
  latency_ms: number;
  outcome: Outcome;
  bytes_in: number;
  bytes_out: number;
  decision_id: string | null;
}

/** The tables usage owns: no other module names them (ADR 0035). */
export interface UsageTables {
  usage_records: UsageRecordsTable;
}
