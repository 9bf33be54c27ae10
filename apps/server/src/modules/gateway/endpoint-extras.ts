import type { Resolved } from '../virtual-servers/index.ts';
import { prefixOf } from '../virtual-servers/index.ts';
import type { Catalogue, Entry, GatewayServer } from './catalogue.ts';

/**
 * The resources, resource templates and prompts of a virtual server (ADR 0047, amending ADR 0041's "tools
 * only"): every member that is a whole server (`tools` absent or `all`) brings them all, in member order; a
 * server reached by a list of tools or by a tag brings none (those members choose tools, not servers).
 * Prompts are named by the endpoint's rule as tools are: `prefix` gives `<server prefix>__<name>`,
 * `on-conflict` the upstream name unless an earlier member took it (then prefixed), `none` the upstream name
 * (a later prompt of the same name is withheld). Resources and templates keep their URIs (already global; the
 * first member listing a URI serves it) and are listed under the same rule's name. Not pinned and not
 * overridable: a rediscovery that brings a clashing prompt can rename the later one under `on-conflict`.
 */
export interface Extras {
  readonly resources: Map<string, Entry>;
  readonly prompts: Map<string, Entry>;
  readonly templates: Entry[];
}

export function endpointExtras(resolved: Resolved, base: Catalogue): Extras {
  const naming = resolved.virtualServer.naming;
  const whole = new Set(
    resolved.virtualServer.members.flatMap((m) => ('serverId' in m && m.tools === 'all' ? [m.serverId] : [])),
  );
  const order = resolved.virtualServer.members.flatMap((m) => ('serverId' in m ? [m.serverId] : []));
  const rank = (s: GatewayServer) => order.indexOf(s.id);
  const byMember = (entries: Iterable<Entry>) =>
    [...entries].filter((e) => whole.has(e.server.id)).sort((a, b) => rank(a.server) - rank(b.server));

  const named = (taken: Set<string>, e: Entry, name: string): string | undefined => {
    const prefixed = `${prefixOf(e.server.name)}__${name}`;
    const chosen =
      naming === 'prefix'
        ? prefixed
        : !taken.has(name)
          ? name
          : naming === 'on-conflict'
            ? prefixed
            : undefined;
    if (chosen === undefined || taken.has(chosen)) return undefined;
    taken.add(chosen);
    return chosen;
  };

  const prompts = new Map<string, Entry>();
  const promptNames = new Set<string>();
  for (const e of byMember(base.prompts.values())) {
    const name = named(promptNames, e, e.upstreamName);
    if (name !== undefined) prompts.set(name, { ...e, exposedName: name, item: { ...e.item, name } });
  }
  const resourceNames = new Set<string>();
  const resources = new Map<string, Entry>();
  for (const e of byMember(base.resources.values())) {
    const listedName = named(
      resourceNames,
      e,
      typeof e.item.name === 'string' ? e.item.name : e.upstreamName,
    );
    if (!resources.has(e.upstreamName))
      resources.set(e.upstreamName, { ...e, listedName: listedName ?? e.upstreamName });
  }
  const templateNames = new Set<string>();
  const templates = byMember(base.templates ?? []).map((e) => {
    const n = named(templateNames, e, typeof e.item.name === 'string' ? e.item.name : e.upstreamName);
    return { ...e, listedName: n ?? e.upstreamName };
  });
  return { resources, prompts, templates };
}
