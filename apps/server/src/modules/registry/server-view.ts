import type { ManifestSummary } from '@sprintconnect/contracts';
import type { ServerRow } from './servers.repo.ts';

/**
 * The public shape of a server: never the credential, only its kind and header name. `manifest` is the signed
 * manifest's status from modules/trust (ADR 0015).
 */
export function toServerView(r: ServerRow, manifest: ManifestSummary) {
  const self = `/v1/servers/${r.id}`;
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    transport: r.transport,
    environment: r.environment,
    tags: r.tags,
    description: r.description,
    autoDiscover: r.auto_discover,
    auth:
      r.auth_type === 'header'
        ? { type: r.auth_type, headerName: r.auth_header_name ?? '' }
        : { type: r.auth_type },
    status: r.status,
    lastError: (r.last_error as Record<string, unknown> | null) ?? null,
    currentVersion: r.current_version,
    lastDiscoveredAt: r.last_discovered_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    manifest,
    links: { self, capabilities: `${self}/capabilities`, discover: `${self}/discover` },
  };
}
export type ServerView = ReturnType<typeof toServerView>;
