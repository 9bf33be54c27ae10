/**
 * What changed between two snapshots of one server, per kind of capability. Items are matched by their
 * identity in the MCP spec: tools and prompts by `name`, resources by `uri`, resource templates by
 * `uriTemplate`. A matched item whose canonical JSON differs is `modified`, with the top-level fields that
 * differ (a field present on one side only counts as changed).
 */
import { canonicalJson } from './canonical.ts';
import type { CapabilitySnapshot, JsonObject } from './types.ts';

export interface ModifiedItem {
  name: string;
  changedFields: string[];
}

export interface KindDiff {
  added: string[];
  removed: string[];
  modified: ModifiedItem[];
}

export interface SnapshotDiff {
  tools: KindDiff;
  resources: KindDiff;
  resourceTemplates: KindDiff;
  prompts: KindDiff;
}

export const ITEM_KEYS = Object.freeze({
  tools: 'name',
  resources: 'uri',
  resourceTemplates: 'uriTemplate',
  prompts: 'name',
} as const);

/** By key; a server that reports one key twice is judged by the first, as the search index keeps it. */
function index(items: readonly JsonObject[], key: string): Map<string, JsonObject> {
  const map = new Map<string, JsonObject>();
  for (const item of items) {
    const k = String(item[key] ?? '');
    if (!map.has(k)) map.set(k, item);
  }
  return map;
}

export function changedFields(a: JsonObject, b: JsonObject): string[] {
  const fields = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...fields].filter((f) => canonicalJson(a[f] ?? null) !== canonicalJson(b[f] ?? null)).sort();
}

function diffKind(before: readonly JsonObject[], after: readonly JsonObject[], key: string): KindDiff {
  const a = index(before, key);
  const b = index(after, key);
  const added = [...b.keys()].filter((k) => !a.has(k)).sort();
  const removed = [...a.keys()].filter((k) => !b.has(k)).sort();
  const modified: ModifiedItem[] = [];
  for (const name of [...a.keys()].filter((k) => b.has(k)).sort()) {
    const fields = changedFields(a.get(name)!, b.get(name)!);
    if (fields.length > 0) modified.push({ name, changedFields: fields });
  }
  return { added, removed, modified };
}

export function diffSnapshots(a: CapabilitySnapshot, b: CapabilitySnapshot): SnapshotDiff {
  return {
    tools: diffKind(a.tools, b.tools, ITEM_KEYS.tools),
    resources: diffKind(a.resources, b.resources, ITEM_KEYS.resources),
    resourceTemplates: diffKind(a.resourceTemplates, b.resourceTemplates, ITEM_KEYS.resourceTemplates),
    prompts: diffKind(a.prompts, b.prompts, ITEM_KEYS.prompts),
  };
}

/** True when any kind has an added, removed or modified item. */
export function hasChanges(diff: SnapshotDiff): boolean {
  return Object.values(diff).some((k: KindDiff) => k.added.length + k.removed.length + k.modified.length > 0);
}
