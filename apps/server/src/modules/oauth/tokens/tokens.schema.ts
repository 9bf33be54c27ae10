import type { RequiredTimestamp, Timestamp } from '../../../platform/db/index.ts';

/** Migrations 005 and 013: identity providers an org trusts to issue access tokens for SprintConnect. */
export interface OAuthTrustedIssuersTable {
  org_id: string;
  id: string;
  issuer: string;
  audience: string;
  jwks_uri: string;
  created_by: string;
  created_at: Timestamp;
}

/** Migrations 005 and 011: DPoP proof ids seen by any process (RFC 9449 §11.1), written by record_dpop_proofs. */
export interface DpopProofsSeenTable {
  jti: string;
  expires_at: RequiredTimestamp;
}

/** The tables the resource-server side (oauth/tokens) owns: no other module names them (ADR 0035). */
export interface OAuthTokensTables {
  oauth_trusted_issuers: OAuthTrustedIssuersTable;
  dpop_proofs_seen: DpopProofsSeenTable;
}
