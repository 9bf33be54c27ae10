import type { RequiredTimestamp, Timestamp } from '../../../platform/db/index.ts';

/** Migration 023: invitation links of invited local users; only an HMAC of the link's token is stored. */
export interface UserInvitationsTable {
  org_id: string;
  id: string;
  user_id: string;
  token_hash: Buffer;
  created_at: RequiredTimestamp;
  created_by: string;
  expires_at: RequiredTimestamp;
  accepted_at: Timestamp | null;
  voided_at: Timestamp | null;
}

/**
 * The tables sign-in's invitations own: no other module names them (ADR 0035). Sign-in, not rbac, because its
 * invitations repo is the only one that writes them; the user row they point at stays rbac's.
 */
export interface SignInInvitationsTables {
  user_invitations: UserInvitationsTable;
}
