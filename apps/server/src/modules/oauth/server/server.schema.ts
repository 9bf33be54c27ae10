import type { Json, RequiredTimestamp, Timestamp } from '../../../platform/db/index.ts';

/**
 * Migration 005: oidc-provider's storage, one row per artifact. No org_id: found by random ids before any
 * tenant is known.
 */
export interface OidcModelsTable {
  model: string;
  id_hash: Buffer;
  payload: Json<Record<string, unknown>>;
  sealed_secret: Buffer | null;
  grant_id: string | null;
  uid: string | null;
  expires_at: Timestamp | null;
  consumed_at: Timestamp | null;
  created_at: Timestamp;
}

/** Migration 005: token signing keys; the private half sealed. */
export interface OAuthSigningKeysTable {
  kid: string;
  alg: 'ES256' | 'RS256';
  state: 'active' | 'retiring' | 'retired';
  public_jwk: Json<Record<string, unknown>>;
  private_jwk: Buffer;
  created_at: Timestamp;
  rotated_at: Timestamp | null;
  retired_at: Timestamp | null;
}

/** Migration 005: refresh-token exchanges by the hash of the presented token (ADR 0009). */
export interface OAuthRefreshExchangesTable {
  token_hash: Buffer;
  client_id: string;
  client_auth_hash: Buffer;
  dpop_jkt: string | null;
  started_at: RequiredTimestamp;
  completed_at: Timestamp | null;
  response: Buffer | null;
  grant_id: string | null;
  expires_at: RequiredTimestamp;
}

/** Migration 013: removed clients, whose tokens every process refuses (ADR 0022). */
export interface OAuthRemovedClientsTable {
  client_id: string;
  removed_at: Timestamp;
}

/** The tables the authorization server (oauth/server) owns: no other module names them (ADR 0035). */
export interface OAuthServerTables {
  oidc_models: OidcModelsTable;
  oauth_signing_keys: OAuthSigningKeysTable;
  oauth_refresh_exchanges: OAuthRefreshExchangesTable;
  oauth_removed_clients: OAuthRemovedClientsTable;
}
