import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../../platform/db/index.ts';
import type { Drift, JsonObject } from './drift.ts';
import type { ManifestAlg } from './public-jwk.ts';

/** Migration 009: an org's trust store, public keys only. */
export interface TrustKeysTable {
  org_id: string;
  id: string;
  kid: string;
  issuer: string;
  alg: ManifestAlg;
  public_jwk: Json<Record<string, string>>;
  thumbprint: string;
  created_by: string;
  created_at: Timestamp;
}

/** Migration 009: whether the org requires signed manifests. */
export interface TrustSettingsTable {
  org_id: string;
  require_signed_manifests: Generated<boolean>;
  updated_by: string;
  updated_at: Timestamp;
}

/** Migration 009: every verified manifest a server had; one `current` at a time. */
export interface ServerManifestsTable {
  org_id: string;
  id: string;
  server_id: string;
  version: number;
  state: 'current' | 'superseded' | 'rolled_back';
  source: 'registration' | 'submission';
  issuer: string;
  kid: string;
  alg: string;
  signature: string;
  jws: string;
  payload: Json<JsonObject>;
  policy_hash: string;
  created_by: string;
  created_at: Timestamp;
}

/** Migration 009: per server, what discovery last saw and its drift from the current manifest. */
export interface ServerManifestStateTable {
  org_id: string;
  server_id: string;
  observed: Json<JsonObject> | null;
  observed_hash: string | null;
  observed_version: number | null;
  drift: Json<Drift> | null;
  drifted_since: Timestamp | null;
  checked_at: Timestamp | null;
  updated_at: Timestamp;
}

/** The tables trust owns: no other module names them (ADR 0035). */
export interface TrustTables {
  trust_keys: TrustKeysTable;
  trust_settings: TrustSettingsTable;
  server_manifests: ServerManifestsTable;
  server_manifest_state: ServerManifestStateTable;
}
