import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../platform/db/index.ts';

/** Migration 008: an org's egress rules (ADR 0014). */
export interface OrgEgressPoliciesTable {
  org_id: string;
  allow_entries: string[];
  deny_entries: string[];
  denied_ports: number[];
  rate_limit_per_minute: number | null;
  /** bigint: pg returns it as a string. */
  version: ColumnType<string, number | string | undefined, number | string>;
  updated_by: string;
  updated_at: Timestamp;
}

/** The tables egress-policy owns: no other module names them (ADR 0035). */
export interface EgressPolicyTables {
  org_egress_policies: OrgEgressPoliciesTable;
}
