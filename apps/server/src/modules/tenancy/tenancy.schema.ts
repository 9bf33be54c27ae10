import type { Generated } from 'kysely';
import type { Timestamp } from '../../platform/db/index.ts';

/** Migration 001. */
export interface OrgsTable {
  id: string;
  slug: string;
  name: string;
  time_zone: Generated<string>;
  is_default: Generated<boolean>;
  created_at: Timestamp;
}

/** Migration 001: each org's data keys, wrapped by the master key. */
export interface OrgDataKeysTable {
  org_id: string;
  id: string;
  wrapped_key: Buffer;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

/** The tables tenancy owns: no other module names them (ADR 0035). */
export interface TenancyTables {
  orgs: OrgsTable;
  org_data_keys: OrgDataKeysTable;
}
