import { type Authorizer, mayWithhold, showsCapability } from '../authz/index.ts';
import type { ServerFacts } from '../registry/index.ts';

/**
 * Capabilities a policy restricts for the caller (`forbid ... resource is SprintConnect::Capability`) are
 * withheld wherever capabilities are shown, while their server stays visible (issue 10 point 1, ADR 0036):
 * from one server's capabilities, its versions and its diffs, as from search. Each capability is judged by the
 * request's listing scope for `servers:read` (the policy's capability condition, or the PDP per capability
 * when it cannot be a condition: one decision line per request either way); the refused ones are dropped,
 * `counts` describe what is shown and `withheld` says how many were not.
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

/**
 * Whether a snapshot's lists hold a capability of `kind` (`tool`, `resource`, `resource_template`, `prompt`)
 * named `name`, as the judge names them: for a dry run about one capability (issue 10 point 2).
 */
export function hasCapability(lists: Partial<Record<ListKey, Item[]>>, kind: string, name: string): boolean {
  const key = (Object.keys(KINDS) as ListKey[]).find((k) => KINDS[k] === kind);
  if (key === undefined) return false;
  return (lists[key] ?? []).some((item) => nameOf(key, item) === name);
}

export interface CapabilityJudge {
  /** Whether some capability may be withheld at all: when not, nothing need be read to count them. */
  readonly withholds: boolean;
  visible(key: ListKey, name: string): boolean;
}

/** For a server the caller may read (its guard passed): which of its capabilities it may see. */
export function capabilityJudge(authz: Authorizer, serverId: string, server: ServerFacts): CapabilityJudge {
  const scope = authz.visibleServers('servers:read');
  const facts = { id: serverId, name: server.name, environment: server.environment, tags: server.tags };
  return {
    withholds: mayWithhold(scope),
    visible: (key, name) => showsCapability(scope, facts, { kind: KINDS[key], name }),
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

/** A diff names only the capabilities the caller may see, and says how many changes it left out. */
export function diffWithoutRestricted<D extends Record<ListKey, KindDiff> & { changed: boolean }>(
  judge: CapabilityJudge,
  d: D,
): D & { withheld: number } {
  const out: Record<string, unknown> = { ...d };
  let changed = false;
  let withheld = 0;
  for (const key of Object.keys(KINDS) as ListKey[]) {
    const k = d[key];
    const kept = {
      added: k.added.filter((n) => judge.visible(key, n)),
      removed: k.removed.filter((n) => judge.visible(key, n)),
      modified: k.modified.filter((m) => judge.visible(key, m.name)),
    };
    const shown = kept.added.length + kept.removed.length + kept.modified.length;
    withheld += k.added.length + k.removed.length + k.modified.length - shown;
    changed ||= shown > 0;
    out[key] = kept;
  }
  return { ...(out as D), changed, withheld };
}

/** The names of one version's capabilities, per list (as the search index names them: nameOf). */
export type VersionNames = Record<ListKey, string[]>;

/** A version's `counts` as the caller may see them, and how many it withholds. */
export function countsWithoutRestricted<V extends { counts: Counts }>(
  judge: CapabilityJudge,
  v: V,
  names: VersionNames | undefined,
): V & { withheld: number } {
  if (!judge.withholds || names === undefined) return { ...v, withheld: 0 };
  const counts = { ...v.counts };
  let withheld = 0;
  for (const key of Object.keys(KINDS) as ListKey[]) {
    const shown = names[key].filter((n) => judge.visible(key, n)).length;
    withheld += names[key].length - shown;
    counts[key] = shown;
  }
  return { ...v, counts, withheld };
}
