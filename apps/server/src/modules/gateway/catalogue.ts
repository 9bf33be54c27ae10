import { createTtlMemo } from '../../kernel/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { withTenant } from '../../platform/db/index.ts';
import { capabilityVersions } from '../registry/index.ts';
import type { RpcError } from './jsonrpc.ts';

/**
 * What the org's default endpoint `/mcp` offers (issue 11 point 2): every tool, resource and prompt of the org's
 * registered servers, from each server's CURRENT stored capability version (never a live list), named
 * `<server name>__<item name>`. The name depends only on the server's name and the item's own name, so it is
 * stable across rediscovery; the gateway resolves an exposed name by lookup, never by splitting at `__`, so a
 * server or tool name that itself contains `__` still routes. Resources keep their URIs (a URI is already
 * global) and are routed by URI; when two servers list the same URI, the server first by name serves it.
 *
 * The catalogue is read in one query and kept per org for a short time (`ttlMs`, ADR 0040): every process
 * reads the same rows, so any process answers any request, and a rediscovered version is served within `ttlMs`.
 */
export interface GatewayServer {
  readonly id: string;
  readonly name: string;
  readonly environment: string;
  readonly tags: readonly string[];
  readonly transport: 'streamable-http' | 'sse';
  /** The revision discovery negotiated: `2026-07-28` upstreams are called statelessly. */
  readonly protocolVersion: string;
}

type Item = Readonly<Record<string, unknown>>;

export interface Entry {
  readonly server: GatewayServer;
  /** The item as discovery stored it (name, description, schemas, annotations...). */
  readonly item: Item;
  /** Its name (or URI) on the upstream server. */
  readonly upstreamName: string;
  /** Its name on this endpoint. */
  readonly exposedName: string;
  /** A virtual server's override of the tool's invocation class (ADR 0048); absent: its annotations decide. */
  readonly invocationClass?: 'read' | 'write' | 'destructive' | undefined;
  /** A resource's or template's name in lists, when not `<server name>__<name>` (virtual servers, ADR 0047). */
  readonly listedName?: string;
}

export interface Catalogue {
  readonly servers: readonly GatewayServer[];
  readonly tools: ReadonlyMap<string, Entry>;
  readonly resources: ReadonlyMap<string, Entry>;
  readonly prompts: ReadonlyMap<string, Entry>;
  /** Tools a virtual server withholds (rug-pull protection, ADR 0044): a call gets this error, not "Unknown". */
  readonly withheld?: ReadonlyMap<string, RpcError> | undefined;
  /** Resource templates, keyed by nothing: a read is matched against each in order (resource-templates.ts). */
  readonly templates?: readonly Entry[];
}

export const SEPARATOR = '__';
export const exposedName = (serverName: string, name: string): string => `${serverName}${SEPARATOR}${name}`;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (snapshot: unknown, key: string): Item[] => {
  const v = (snapshot as Record<string, unknown> | null)?.[key];
  return Array.isArray(v) ? (v as Item[]) : [];
};

export function buildCatalogue(
  rows: readonly {
    id: string;
    name: string;
    environment: string;
    tags: string[];
    transport: 'streamable-http' | 'sse';
    protocol_version: string;
    snapshot: unknown;
  }[],
): Catalogue {
  const servers: GatewayServer[] = [];
  const tools = new Map<string, Entry>();
  const resources = new Map<string, Entry>();
  const prompts = new Map<string, Entry>();
  const templates: Entry[] = [];
  for (const r of rows) {
    const server: GatewayServer = {
      id: r.id,
      name: r.name,
      environment: r.environment,
      tags: r.tags,
      transport: r.transport,
      protocolVersion: r.protocol_version,
    };
    servers.push(server);
    for (const item of list(r.snapshot, 'tools')) {
      const name = str(item.name);
      const exposed = exposedName(r.name, name);
      if (name !== '' && !tools.has(exposed))
        tools.set(exposed, { server, item, upstreamName: name, exposedName: exposed });
    }
    for (const item of list(r.snapshot, 'prompts')) {
      const name = str(item.name);
      const exposed = exposedName(r.name, name);
      if (name !== '' && !prompts.has(exposed))
        prompts.set(exposed, { server, item, upstreamName: name, exposedName: exposed });
    }
    for (const item of list(r.snapshot, 'resources')) {
      const uri = str(item.uri);
      if (uri !== '' && !resources.has(uri))
        resources.set(uri, { server, item, upstreamName: uri, exposedName: uri });
    }
    for (const item of list(r.snapshot, 'resourceTemplates')) {
      const t = str(item.uriTemplate);
      if (t !== '') templates.push({ server, item, upstreamName: t, exposedName: t });
    }
  }
  return { servers, tools, resources, prompts, templates };
}

export interface CatalogueCache {
  get(orgId: string): Promise<Catalogue>;
  /** Drops the org's catalogue (every org's when undefined): a change was announced (ADR 0047). */
  forget(orgId: string | undefined): void;
}

export function createCatalogueCache(deps: { db: Db; ttlMs: number; now?: () => number }): CatalogueCache {
  const memo = createTtlMemo<Catalogue>(deps);
  return {
    get: (orgId) =>
      memo.get(orgId, () =>
        withTenant(deps.db, orgId, (tx) => capabilityVersions.currentSnapshots(tx, orgId)).then(
          buildCatalogue,
        ),
      ),
    forget: (orgId) => memo.forget((key) => orgId === undefined || key === orgId),
  };
}
