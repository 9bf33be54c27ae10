import { createTtlMemo } from '../../kernel/index.ts';
import { driftMessage, type Resolved } from '../virtual-servers/index.ts';
import type { Catalogue, Entry, GatewayServer } from './catalogue.ts';
import { endpointExtras } from './endpoint-extras.ts';
import { RPC, type RpcError } from './jsonrpc.ts';

/**
 * What a virtual server's endpoint `/mcp/{slug}` offers (issue 11 point 2, ADR 0041): exactly the tools its
 * exposure table shows, under their exposed names, with the titles and descriptions of its overrides, each
 * routed to its member server under the tool's upstream name. Members that are whole servers also bring their
 * resources, templates and prompts (endpoint-extras.ts, ADR 0047). The member servers' connection facts (transport, negotiated revision, environment and
 * tags for the policy) come from the org's default catalogue, so a call through a slug is decided and proxied
 * exactly like the same tool through `/mcp`; a member not in it (deleted since) offers nothing.
 *
 * Cached per (org, slug) for the default catalogue's ttl (ADR 0040): every process reads the same rows, so any
 * process answers any request, and an edit or a rediscovery is served within the ttl.
 */
export type ResolveVirtualServer = (orgId: string, slug: string) => Promise<Resolved | undefined>;

export function virtualCatalogue(resolved: Resolved, base: Catalogue): Catalogue | undefined {
  if (!resolved.virtualServer.enabled) return undefined;
  const servers = new Map<string, GatewayServer>(base.servers.map((s) => [s.id, s]));
  const tools = new Map<string, Entry>();
  for (const t of resolved.exposure.exposed) {
    const server = servers.get(t.serverId);
    if (server === undefined) continue;
    const { title: _t, description: _d, ...definition } = t.definition;
    const item = {
      ...definition,
      name: t.name,
      ...(t.title !== undefined ? { title: t.title } : {}),
      ...(t.description !== undefined ? { description: t.description } : {}),
    };
    tools.set(t.name, {
      server,
      item,
      upstreamName: t.upstreamName,
      exposedName: t.name,
      ...(t.invocationClass !== undefined ? { invocationClass: t.invocationClass } : {}),
    });
  }
  // Rug-pull protection (issue 11 point 5, ADR 0044): a withheld tool is not listed, and a call names the
  // drift (approved vs current definition) so the caller and its operator know an approval is pending.
  const slug = resolved.virtualServer.slug;
  const withheld = new Map<string, RpcError>(
    resolved.drifted.map((d) => [
      d.name,
      {
        code: RPC.toolWithheld,
        message: driftMessage(slug, d),
        data: {
          code: 'tool_definition_drifted',
          virtualServer: slug,
          ...{ tool: d.name, serverId: d.serverId, server: d.serverName, upstreamName: d.upstreamName },
          ...{ state: d.state, pinnedTo: d.against, approvedVersion: d.approvedVersion },
          approvedHash: d.approvedHash,
          ...{ currentVersion: d.currentVersion, currentHash: d.currentHash },
        },
      },
    ]),
  );
  const extras = endpointExtras(resolved, base);
  const used = new Set(
    [...tools.values(), ...extras.resources.values(), ...extras.prompts.values(), ...extras.templates].map(
      (e) => e.server,
    ),
  );
  return { servers: [...used], tools, ...extras, withheld };
}

export interface EndpointCatalogues {
  /** The endpoint's catalogue, or undefined when the org has no enabled virtual server with this slug. */
  get(orgId: string, slug: string): Promise<Catalogue | undefined>;
  /** Drops the org's endpoints (every org's when undefined): a change was announced (ADR 0047). */
  forget(orgId: string | undefined): void;
}

export function createEndpointCatalogues(deps: {
  resolve: ResolveVirtualServer;
  base: (orgId: string) => Promise<Catalogue>;
  ttlMs: number;
  now?: () => number;
}): EndpointCatalogues {
  // Bounded: a slug is the caller's text, so unknown slugs must not grow the memo.
  const memo = createTtlMemo<Catalogue | undefined>({ ...deps, maxEntries: 10_000 });
  return {
    get: (orgId, slug) =>
      memo.get(`${orgId}/${slug}`, () =>
        Promise.all([deps.resolve(orgId, slug), deps.base(orgId)]).then(([r, base]) =>
          r === undefined ? undefined : virtualCatalogue(r, base),
        ),
      ),
    forget: (orgId) => memo.forget((key) => orgId === undefined || key.startsWith(`${orgId}/`)),
  };
}
