/**
 * Which tools a virtual server shows, under which names (issue 11 point 2, ADR 0041). Pure: the service hands
 * it the virtual server and its members' current capabilities; the gateway serves what it returns.
 *
 * Names are claimed in three passes, each in member order (a server's first member position, then its tools
 * in upstream order): explicit overrides first, then the names pinned when the virtual server was last
 * validated (stability across rediscovery), then everything else by the naming rule. Whoever claims a name
 * first keeps it; a later claimant is renamed (`on-conflict`) or withheld and reported as a clash.
 */
export type NamingRule = 'prefix' | 'on-conflict' | 'none';

/** A tool as discovery stored it (MCP `Tool`): only the fields naming needs are typed. */
export interface UpstreamTool {
  readonly name: string;
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly [field: string]: unknown;
}

export type Member =
  | { readonly kind: 'server'; readonly serverId: string; readonly tools: readonly string[] | null }
  | { readonly kind: 'tag'; readonly tag: string };

export interface ToolOverride {
  readonly serverId: string;
  readonly tool: string;
  readonly name?: string | null | undefined;
  readonly title?: string | null | undefined;
  readonly description?: string | null | undefined;
  /** The call's invocation class instead of the annotations' (ADR 0048). */
  readonly invocationClass?: 'read' | 'write' | 'destructive' | null | undefined;
}

export interface VirtualServerSpec {
  readonly naming: NamingRule;
  readonly members: readonly Member[];
  readonly overrides: readonly ToolOverride[];
  /** `"<server id>/<upstream name>"` -> the name it had when last validated. */
  readonly pinned?: Readonly<Record<string, string>> | undefined;
}

/** A server a member names or a tag reaches; tag members take servers in the order given (oldest first). */
export interface MemberServer {
  readonly id: string;
  readonly name: string;
  readonly tags: readonly string[];
  /** Its current tools; null when it was never discovered (nothing to show, nothing to check yet). */
  readonly tools: readonly UpstreamTool[] | null;
  /** The capability version `tools` come from (pinning reports it, ADR 0044); null: never discovered. */
  readonly version?: number | null | undefined;
}

export interface ToolRef {
  readonly serverId: string;
  readonly upstreamName: string;
}

export interface ExposedTool extends ToolRef {
  readonly name: string;
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly serverName: string;
  /** The upstream definition (input schema, annotations...), unchanged. */
  readonly definition: UpstreamTool;
  /** An override's invocation class; absent: the annotations decide. */
  readonly invocationClass?: 'read' | 'write' | 'destructive' | undefined;
}

export interface Clash {
  readonly name: string;
  readonly kept: ToolRef;
  readonly withheld: ToolRef;
  /** `override`: one of the two names is an explicit override; `name`: the naming rule produced both. */
  readonly cause: 'override' | 'name';
  /** Where the withheld tool's override is in `overrides`, when it has one. */
  readonly overrideIndex?: number | undefined;
  /** `on-conflict` only: the name the tool is shown under instead (it is not withheld). */
  readonly renamedTo?: string | undefined;
}

/** A member's listed tool or an override that names a tool the server does not offer (or was not selected). */
export interface Missing {
  readonly serverId: string;
  readonly tool: string;
  readonly pointer: string;
}

export interface Exposure {
  readonly exposed: readonly ExposedTool[];
  readonly clashes: readonly Clash[];
  readonly missing: readonly Missing[];
  /** What to pin: every exposed tool's name, by `"<server id>/<upstream name>"`. */
  readonly pins: Readonly<Record<string, string>>;
}

/** MCP tool names are `[A-Za-z0-9_.-]` (SEP-986): a server name becomes a prefix within that alphabet. */
export function prefixOf(serverName: string): string {
  const p = serverName
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return p === '' ? 'server' : p;
}

export const SEPARATOR = '__';
export const toolKey = (serverId: string, tool: string) => `${serverId}/${tool}`;

interface Candidate extends ToolRef {
  readonly server: MemberServer;
  readonly tool: UpstreamTool;
  readonly override: ToolOverride | undefined;
  readonly overrideIndex: number | undefined;
}

/** Members in order, a tag expanded to its servers, a server met twice merged at its first place. */
function sources(members: readonly Member[], servers: readonly MemberServer[]) {
  const byId = new Map(servers.map((s) => [s.id, s]));
  const out = new Map<string, { server: MemberServer; all: boolean; names: Set<string> }>();
  const add = (server: MemberServer, tools: readonly string[] | null) => {
    const s = out.get(server.id) ?? { server, all: false, names: new Set<string>() };
    if (tools === null) s.all = true;
    else for (const t of tools) s.names.add(t);
    out.set(server.id, s);
  };
  const missing: Missing[] = [];
  members.forEach((m, i) => {
    if (m.kind === 'tag') {
      for (const s of servers) if (s.tags.includes(m.tag)) add(s, null);
      return;
    }
    const server = byId.get(m.serverId);
    if (server === undefined) return;
    add(server, m.tools);
    if (server.tools === null || m.tools === null) return;
    const offered = new Set(server.tools.map((t) => t.name));
    m.tools.forEach((t, j) => {
      if (!offered.has(t))
        missing.push({ serverId: m.serverId, tool: t, pointer: `/members/${i}/tools/${j}` });
    });
  });
  return { sources: [...out.values()], missing };
}

export function exposeTools(spec: VirtualServerSpec, servers: readonly MemberServer[]): Exposure {
  const { sources: srcs, missing } = sources(spec.members, servers);
  const overrides = new Map(spec.overrides.map((o, i) => [toolKey(o.serverId, o.tool), { o, i }]));
  const candidates: Candidate[] = srcs.flatMap(({ server, all, names }) =>
    (server.tools ?? [])
      .filter((t) => all || names.has(t.name))
      .map((tool) => {
        const ov = overrides.get(toolKey(server.id, tool.name));
        return {
          serverId: server.id,
          upstreamName: tool.name,
          server,
          tool,
          override: ov?.o,
          overrideIndex: ov?.i,
        };
      }),
  );
  const selected = new Set(candidates.map((c) => toolKey(c.serverId, c.upstreamName)));
  spec.overrides.forEach((o, i) => {
    const server = servers.find((s) => s.id === o.serverId);
    if (server?.tools === null) return;
    if (!selected.has(toolKey(o.serverId, o.tool)))
      missing.push({ serverId: o.serverId, tool: o.tool, pointer: `/overrides/${i}/tool` });
  });

  const prefixed = (c: Candidate) => `${prefixOf(c.server.name)}${SEPARATOR}${c.upstreamName}`;
  const natural = (c: Candidate) => (spec.naming === 'prefix' ? prefixed(c) : c.upstreamName);
  const names = new Map<string, Candidate>();
  const chosen = new Map<Candidate, string>();
  const clashes: Clash[] = [];
  const ref = (c: Candidate): ToolRef => ({ serverId: c.serverId, upstreamName: c.upstreamName });
  const claim = (c: Candidate, name: string) => {
    names.set(name, c);
    chosen.set(c, name);
  };
  const clash = (c: Candidate, name: string, renamedTo?: string) => {
    const kept = names.get(name)!;
    const byOverride = c.override?.name != null || kept.override?.name === name;
    clashes.push({
      name,
      kept: ref(kept),
      withheld: ref(c),
      cause: byOverride ? 'override' : 'name',
      ...(c.override?.name != null ? { overrideIndex: c.overrideIndex } : {}),
      ...(kept.override?.name === name ? { overrideIndex: kept.overrideIndex } : {}),
      ...(renamedTo !== undefined ? { renamedTo } : {}),
    });
  };

  // 1. Overrides: an admin's explicit choice; two overrides on one name is a clash.
  for (const c of candidates) {
    const name = c.override?.name;
    if (name == null) continue;
    if (names.has(name)) clash(c, name);
    else claim(c, name);
  }
  // 2. Pins: the name a tool had stays its own while the rule still allows it.
  for (const c of candidates) {
    if (c.override?.name != null) continue;
    const pin = spec.pinned?.[toolKey(c.serverId, c.upstreamName)];
    if (pin === undefined || names.has(pin)) continue;
    const allowed = spec.naming === 'on-conflict' ? [natural(c), prefixed(c)] : [natural(c)];
    if (allowed.includes(pin)) claim(c, pin);
  }
  // 3. The rest, by the rule.
  for (const c of candidates) {
    if (c.override?.name != null || chosen.has(c)) continue;
    const name = natural(c);
    const taker = names.get(name);
    if (taker === undefined) claim(c, name);
    else if (spec.naming === 'on-conflict' && !names.has(prefixed(c))) {
      claim(c, prefixed(c));
      // The rule renames a clash of two upstream names silently; an override that takes a tool's own name is
      // an admin's mistake, so it is reported even though the tool stays reachable under its prefixed name.
      if (taker.override?.name === name) clash(c, name, prefixed(c));
    } else clash(c, name);
  }

  const exposed: ExposedTool[] = [];
  const pins: Record<string, string> = {};
  for (const c of candidates) {
    const name = chosen.get(c);
    if (name === undefined) continue;
    const title = c.override?.title ?? c.tool.title;
    const description = c.override?.description ?? c.tool.description;
    const invocationClass = c.override?.invocationClass ?? undefined;
    exposed.push({
      name,
      ...(title !== undefined ? { title } : {}),
      ...(description !== undefined ? { description } : {}),
      serverId: c.serverId,
      serverName: c.server.name,
      upstreamName: c.upstreamName,
      definition: c.tool,
      ...(invocationClass !== undefined ? { invocationClass } : {}),
    });
    pins[toolKey(c.serverId, c.upstreamName)] = name;
  }
  return { exposed, clashes, missing, pins };
}
