import type { Generated } from 'kysely';
import type { Timestamp } from '../../platform/db/index.ts';

/** Migrations 001, 004 (expiry notices) and 022 (rate limit). */
export interface ApiKeysTable {
  org_id: string;
  id: string;
  prefix: string;
  secret_hash: Buffer;
  name: string;
  description: Generated<string>;
  scopes: string[];
  created_by: string;
  created_at: Timestamp;
  expires_at: Timestamp | null;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  expiry_notified_at: Timestamp | null;
  /** Requests per minute of this key; null: the deployment's (migration 022). */
  rate_limit: number | null;
}

/** Migration 004: every authenticated use of a key, written in batches. */
export interface ApiKeyUsageTable {
  org_id: string;
  id: string;
  key_id: string;
  used_at: Timestamp;
  method: string;
  route: string;
  status: number;
  request_id: string | null;
}

/** The tables api-keys owns: no other module names them (ADR 0035). */
export interface ApiKeysTables {
  api_keys: ApiKeysTable;
  api_key_usage: ApiKeyUsageTable;
}
