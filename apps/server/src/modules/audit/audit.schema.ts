import type { Json, Timestamp } from '../../platform/db/index.ts';

/** Migration 001: append-only for the runtime role (ADR 0027). */
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

/** Migration 001: events written in the transaction of the change they announce. */
export interface OutboxEventsTable {
  org_id: string;
  id: string;
  topic: string;
  payload: Json;
  created_at: Timestamp;
  published_at: Timestamp | null;
}

/** The tables audit owns: no other module names them (ADR 0035). */
export interface AuditTables {
  audit_events: AuditEventsTable;
  outbox_events: OutboxEventsTable;
}
