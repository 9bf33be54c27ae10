import type { RequiredTimestamp, Timestamp } from '../../../platform/db/index.ts';

/** Migration 006: browser sessions; only an HMAC of the cookie's token is stored. */
export interface SessionsTable {
  org_id: string;
  id: string;
  user_id: string;
  token_hash: Buffer;
  method: 'sso' | 'password';
  created_at: Timestamp;
  expires_at: RequiredTimestamp;
  last_seen_at: RequiredTimestamp;
  auth_time: RequiredTimestamp;
  revoked_at: Timestamp | null;
  ip: string | null;
  user_agent: string | null;
}

/** The tables sign-in's sessions own: no other module names them (ADR 0035). */
export interface SignInSessionsTables {
  sessions: SessionsTable;
}
