import type { Timestamp } from '../../platform/db/index.ts';

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

/** The tables idempotency owns: no other module names them (ADR 0035). */
export interface IdempotencyTables {
  idempotency_keys: IdempotencyKeysTable;
}
