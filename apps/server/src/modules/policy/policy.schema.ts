import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../../platform/db/index.ts';

/** Migration 007: Cedar text an org adds to its policy set. */
export interface PoliciesTable {
  org_id: string;
  id: string;
  name: string;
  description: Generated<string>;
  body: string;
  enabled: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A policy as a version keeps it (`policy_versions.policies`). */
export interface VersionPolicy {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly policy: string;
  readonly enabled: boolean;
}

/** Migration 012: every version of an org's policies; the history only grows. */
export interface PolicyVersionsTable {
  org_id: string;
  version: number;
  hash: string;
  policies: Json<VersionPolicy[]>;
  change: string;
  restored_from: number | null;
  created_by: string;
  created_at: Timestamp;
}

/** The tables policy owns: no other module names them (ADR 0035). */
export interface PolicyTables {
  policies: PoliciesTable;
  policy_versions: PolicyVersionsTable;
}
