import type { Json, Timestamp } from '../../platform/db/index.ts';

/** Migration 001. */
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

/**
 * Migration 001: what a server offered, one row per content change (ADR 0004). The registry's record of its
 * servers (`servers.current_version_id` points here, a server's view shows the number); discovery, which finds
 * the content, stores it through the registry's door.
 */
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

/** The tables the registry owns: no other module names them (ADR 0035). */
export interface RegistryTables {
  servers: ServersTable;
  capability_versions: CapabilityVersionsTable;
}
