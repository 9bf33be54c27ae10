import type { Authorizer } from '../authz/index.ts';
import type { ServerFacts } from '../registry/index.ts';

/**
 * Capabilities an org policy restricts for the caller (`forbid ... resource is SprintConnect::Capability`) are
 * withheld when one server's capabilities are read, as search and listing leave their servers out (story 3.2):
 * each capability is decided by the PDP (repeated reads are answered by its decision memo), the denied ones are
 * dropped, `counts` describe what is shown and `withheld` says how many were not.
 */
const KINDS = {
  tools: 'tool',
  resources: 'resource',
  resourceTemplates: 'resource_template',
  prompts: 'prompt',
} as const;
type ListKey = keyof typeof KINDS;
type Item = Record<string, unknown>;

const str = (v: unknown) => (typeof v === 'string' ? v : '');
/** Named as the search index names them: resources by name, else URI (snapshot-items.ts). */
const nameOf = (key: ListKey, item: Item): string =>
  key === 'resources'
    ? str(item.name) || str(item.uri)
    : key === 'resourceTemplates'
      ? str(item.name) || str(item.uriTemplate)
      : str(item.name);

export interface CapabilityJudge {
  visible(key: ListKey, name: string): boolean;
}

export function capabilityJudge(authz: Authorizer, serverId: string, server: ServerFacts): CapabilityJudge {
  const facts = { name: server.name, environment: server.environment, tags: [...server.tags] };
  return {
    visible: (key, name) =>
      authz.decide('servers:read', {
        type: 'capability',
        orgId: authz.principal.orgId,
        id: `${serverId}/${KINDS[key]}/${name}`,
        server: facts,
        capability: { serverId, kind: KINDS[key], name },
      }).allowed,
  };
}

type Counts = { tools: number; resources: number; resourceTemplates: number; prompts: number };

export function withholdRestricted<V extends Partial<Record<ListKey, Item[]>> & { counts: Counts }>(
  judge: CapabilityJudge,
  v: V,
): V & { withheld: number } {
  let withheld = 0;
  const out: Record<string, unknown> = { ...v };
  const counts = { ...v.counts };
  for (const key of Object.keys(KINDS) as ListKey[]) {
    const items = v[key];
    if (items === undefined) continue;
    const shown = items.filter((i) => judge.visible(key, nameOf(key, i)));
    withheld += items.length - shown.length;
    out[key] = shown;
    counts[key] = shown.length;
  }
  return { ...(out as V), counts, withheld };
}

type KindDiff = { added: string[]; removed: string[]; modified: { name: string; changedFields: string[] }[] };

/** A diff names only the capabilities the caller may see. */
export function diffWithoutRestricted<D extends Record<ListKey, KindDiff> & { changed: boolean }>(
  judge: CapabilityJudge,
  d: D,
): D {
  const out: Record<string, unknown> = { ...d };
  let changed = false;
  for (const key of Object.keys(KINDS) as ListKey[]) {
    const k = d[key];
    const kept = {
      added: k.added.filter((n) => judge.visible(key, n)),
      removed: k.removed.filter((n) => judge.visible(key, n)),
      modified: k.modified.filter((m) => judge.visible(key, m.name)),
    };
    changed ||= kept.added.length + kept.removed.length + kept.modified.length > 0;
    out[key] = kept;
  }
  return { ...(out as D), changed };
}
