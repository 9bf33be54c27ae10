import type { ColumnType, Generated } from 'kysely';

/** Table shapes for the typed query builder. Only `*.repo.ts` files and platform/db issue queries. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = unknown> = ColumnType<T, string, string>;

export interface OrgsTable {
  id: string;
  slug: string;
  name: string;
  time_zone: Generated<string>;
  is_default: Generated<boolean>;
  created_at: Timestamp;
}

export interface OrgDataKeysTable {
  org_id: string;
  id: string;
  wrapped_key: Buffer;
  created_at: Timestamp;
  retired_at: Timestamp | null;
}

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

export interface AuditEventsTable {
  org_id: string;
  id: string;
  occurred_at: Timestamp;
  actor_type: string;
  actor_id: string;
  action: string;
  target_type: string;
  target_id: string;
  request_id: string | null;
  data: Json;
}

export interface OutboxEventsTable {
  org_id: string;
  id: string;
  topic: string;
  payload: Json;
  created_at: Timestamp;
  published_at: Timestamp | null;
}

export interface ServersTable {
  org_id: string;
  id: string;
  name: string;
  url: string;
  transport: 'streamable-http' | 'sse';
  environment: 'development' | 'staging' | 'production';
  tags: string[];
  description: string;
  auto_discover: boolean;
  auth_type: 'none' | 'bearer' | 'header';
  auth_header_name: string | null;
  auth_secret: Buffer | null;
  status: 'pending_discovery' | 'discovering' | 'active' | 'discovery_failed';
  last_error: Json | null;
  current_version_id: string | null;
  last_discovered_at: Timestamp | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CapabilityVersionsTable {
  org_id: string;
  id: string;
  server_id: string;
  version: number;
  content_hash: string;
  protocol_version: string;
  snapshot: Json;
  counts: Json;
  discovered_at: Timestamp;
}

export interface CapabilitiesTable {
  org_id: string;
  server_id: string;
  kind: 'tool' | 'resource' | 'resource_template' | 'prompt';
  name: string;
  version_id: string;
  /** The number of version `version_id` (migration 021). */
  version: number;
  description: string;
  name_words: string[];
  search_text: string;
  definition: Json;
}

export interface JobsTable {
  org_id: string;
  id: string;
  kind: string;
  subject_type: string;
  subject_id: string;
  state: 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';
  stage: string | null;
  progress_done: Generated<number>;
  progress_total: Generated<number>;
  attempts: Generated<number>;
  max_attempts: number;
  params: Json;
  result: Json | null;
  error: Json | null;
  requested_by: string;
  created_at: Timestamp;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  estimated_completion_at: Timestamp | null;
  message_id: string | null;
  lease_token: string | null;
  lease_runner: string | null;
  lease_expires_at: Timestamp | null;
  heartbeat_at: Timestamp | null;
  next_attempt_at: Timestamp | null;
  deferrals: Generated<number>;
  checked_at: Timestamp | null;
}

export interface JobRunsTable {
  org_id: string;
  job_id: string;
  lease_token: string;
  runner: string;
  attempt: number;
  started_at: Generated<Date>;
  ended_at: Timestamp | null;
  outcome: string | null;
  error_code: string | null;
}

/** `invited` until the invitation is accepted; `disabled` once deactivated (migration 023). */
export type UserStatus = 'invited' | 'active' | 'disabled';

export interface UsersTable {
  org_id: string;
  id: string;
  email: string;
  name: Generated<string>;
  status: ColumnType<UserStatus, UserStatus | undefined, UserStatus>;
  created_at: Timestamp;
  updated_at: Timestamp;
  last_login_at: Timestamp | null;
}

export interface RolesTable {
  org_id: string;
  id: string;
  name: string;
  description: Generated<string>;
  built_in: Generated<boolean>;
  extends_role_id: string | null;
  permissions: string[];
  created_at: Timestamp;
  updated_at: Timestamp;
}

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

export interface RoleAssignmentsTable {
  org_id: string;
  principal_type: 'user' | 'client' | 'api_key';
  principal_id: string;
  role_id: string;
  created_at: Timestamp;
  created_by: string;
}

export interface QuotaOverridesTable {
  org_id: string;
  quota: string;
  limit_value: ColumnType<number, number, number>;
  updated_at: Timestamp;
  updated_by: string;
}

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

/** Migration 016: `Idempotency-Key` records, 24 hours per org, principal and key (ADR 0026). */
export interface IdempotencyKeysTable {
  org_id: string;
  principal: string;
  key: string;
  fingerprint: Buffer;
  method: string;
  path: string;
  state: 'in_flight' | 'done';
  claim_id: string;
  locked_until: Timestamp | null;
  status: number | null;
  response: Buffer | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface UsageBudgetsTable {
  org_id: string;
  unit: string;
  monthly_limit: ColumnType<number, number, number>;
  mode: 'block' | 'throttle';
  updated_at: Timestamp;
  updated_by: string;
}

export interface UsageMonthsTable {
  org_id: string;
  unit: string;
  month: string;
  used: ColumnType<number, number | undefined, number>;
  alerted_80_at: Timestamp | null;
  alerted_100_at: Timestamp | null;
}

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

export interface Database {
  orgs: OrgsTable;
  org_data_keys: OrgDataKeysTable;
  api_keys: ApiKeysTable;
  api_key_usage: ApiKeyUsageTable;
  audit_events: AuditEventsTable;
  outbox_events: OutboxEventsTable;
  servers: ServersTable;
  capability_versions: CapabilityVersionsTable;
  capabilities: CapabilitiesTable;
  jobs: JobsTable;
  job_runs: JobRunsTable;
  users: UsersTable;
  roles: RolesTable;
  role_assignments: RoleAssignmentsTable;
  policies: PoliciesTable;
  quota_overrides: QuotaOverridesTable;
  quota_periods: QuotaPeriodsTable;
  quota_usage: QuotaUsageTable;
  idempotency_keys: IdempotencyKeysTable;
  usage_budgets: UsageBudgetsTable;
  usage_months: UsageMonthsTable;
  org_egress_policies: OrgEgressPoliciesTable;
}
