import type { Actor } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { capabilityVersions, type RegistryService } from '../registry/index.ts';
import { currentManifestTools, type ManifestTools } from '../trust/index.ts';
import type { Member, MemberServer, ToolOverride, UpstreamTool } from './expose-tools.ts';

/** How many servers one tag member reaches at most; more is refused at validation and cut at serving. */
export const TAG_SERVERS_MAX = 500;

/**
 * The servers a virtual server's members name or its tags reach, each with its CURRENT tools (the registry's
 * newest capability version, read through the registry's door, never its tables). Tag members take servers
 * oldest first, so a server that gains the tag later loses a name clash rather than renaming an older tool.
 * Ids that the org does not have are left out: the caller decides whether that is a 422 (writes) or a member
 * that has gone (serving; a deleted server's member rows are deleted with it).
 */
export async function memberServers(
  deps: { db: Db; registry: RegistryService },
  orgId: string,
  members: readonly Member[],
  overrides: readonly ToolOverride[],
): Promise<MemberServer[]> {
  const facts = new Map<string, { name: string; tags: readonly string[] }>();
  const explicit = new Set([
    ...members.flatMap((m) => (m.kind === 'server' ? [m.serverId] : [])),
    ...overrides.map((o) => o.serverId),
  ]);
  for (const id of explicit) {
    try {
      facts.set(id, await deps.registry.serverFacts(orgId, id));
    } catch (e) {
      if ((e as { code?: string }).code !== 'server_not_found') throw e;
    }
  }
  const tagged: string[] = [];
  const actor: Actor = { type: 'system', id: 'virtual-servers', orgId };
  for (const tag of new Set(members.flatMap((m) => (m.kind === 'tag' ? [m.tag] : [])))) {
    const found: { id: string; name: string; tags: string[] }[] = [];
    let cursor: string | undefined;
    do {
      const page = await deps.registry.list(actor, { tags: tag, limit: 200, ...(cursor && { cursor }) });
      for (const s of page.items) found.push({ id: s.id, name: s.name, tags: s.tags ?? [] });
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && found.length < TAG_SERVERS_MAX);
    // The registry lists newest first; members take the oldest first.
    for (const s of found.slice(0, TAG_SERVERS_MAX).reverse()) {
      if (!facts.has(s.id)) facts.set(s.id, { name: s.name, tags: s.tags });
      tagged.push(s.id);
    }
  }
  const ids = [...facts.keys()];
  const tools = await withTenant(deps.db, orgId, async (tx) => {
    const out = new Map<string, { tools: UpstreamTool[] | null; version: number | null }>();
    for (const id of ids) {
      const v = await capabilityVersions.latestVersion(tx, orgId, id);
      const list = (v?.snapshot as { tools?: unknown } | undefined)?.tools;
      out.set(id, {
        tools: v === undefined ? null : Array.isArray(list) ? list.filter(isTool) : [],
        version: v?.version ?? null,
      });
    }
    return out;
  });
  // Tag order matters (oldest first); explicit servers' order is the members' own, kept by exposeTools.
  const order = [...new Set([...tagged, ...ids])];
  return order.map((id) => ({
    id,
    ...facts.get(id)!,
    tools: tools.get(id)?.tools ?? null,
    version: tools.get(id)?.version ?? null,
  }));
}

const isTool = (t: unknown): t is UpstreamTool =>
  typeof t === 'object' && t !== null && typeof (t as { name?: unknown }).name === 'string';

/** Each server's current signed manifest tools (undefined: it has none), for `manifest` pinning (ADR 0044). */
export async function manifestsOf(
  db: Db,
  orgId: string,
  serverIds: Iterable<string>,
): Promise<Map<string, ManifestTools | undefined>> {
  return withTenant(db, orgId, async (tx) => {
    const out = new Map<string, ManifestTools | undefined>();
    for (const id of serverIds) out.set(id, await currentManifestTools(tx, orgId, id));
    return out;
  });
}
