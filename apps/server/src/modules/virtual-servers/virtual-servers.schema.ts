import type { Json, Timestamp } from '../../platform/db/index.ts';

/** Migration 024: an org's virtual servers, the MCP endpoints at /mcp/{slug} (ADR 0041). */
export interface VirtualServersTable {
  org_id: string;
  id: string;
  slug: string;
  name: string;
  description: string;
  naming: 'prefix' | 'on-conflict' | 'none';
  enabled: boolean;
  /** `"<server id>/<upstream tool name>"` -> exposed name, as last validated (stability, ADR 0041). */
  pinned_names: Json;
  /** Migration 026: rug-pull protection (ADR 0044); `off` for rows made before it. */
  pinning: 'off' | 'approved' | 'manifest';
  /** `"<server id>/<upstream tool name>"` -> `{hash, version}` an admin approved (ADR 0044). */
  approved_tools: Json;
  /** `"<server id>/<upstream tool name>"` -> the drifted hash a `capabilities.drifted` event announced. */
  reported_drifts: Json;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Migration 024: what a virtual server is made of, in order. */
export interface VirtualServerMembersTable {
  org_id: string;
  virtual_server_id: string;
  position: number;
  kind: 'server' | 'tag';
  server_id: string | null;
  /** Null: every tool of the server. */
  tools: string[] | null;
  tag: string | null;
}

/** Migration 024: per-tool overrides of name, title and description. */
export interface VirtualServerOverridesTable {
  org_id: string;
  virtual_server_id: string;
  server_id: string;
  tool: string;
  name: string | null;
  title: string | null;
  description: string | null;
  /** Migration 028: the tool's invocation class, instead of the one its annotations give (ADR 0048). */
  invocation_class: 'read' | 'write' | 'destructive' | null;
}

/** The tables the virtual-servers module owns: no other module names them (ADR 0035). */
export interface VirtualServersTables {
  virtual_servers: VirtualServersTable;
  virtual_server_members: VirtualServerMembersTable;
  virtual_server_overrides: VirtualServerOverridesTable;
}
