/**
 * Drift: how what a server offers live differs from its signed manifest. Items are matched by their identity
 * in MCP (tools and prompts by `name`, resources by `uri`, resource templates by `uriTemplate`).
 *
 * - `added`: offered live but not in the manifest (capabilities nobody signed for).
 * - `removed`: in the manifest but not offered live.
 * - `changed`: offered live with a member that differs from the one the manifest states. A manifest pins the
 *   members it states and nothing else: a live `title` or `annotations` the manifest leaves out is not drift,
 *   a changed `description` or `inputSchema` it states is.
 *
 * Equality is JSON equality (member order never matters), computed without canonicalizing so that whatever
 * a live server returns can be compared without failing the discovery that found it.
 */

export type JsonObject = { [key: string]: unknown };

/** Capability lists as MCP returns them (the discovery snapshot) or as a manifest states them. */
export interface CapabilityLists {
  tools: readonly JsonObject[];
  resources: readonly JsonObject[];
  resourceTemplates?: readonly JsonObject[] | undefined;
  prompts: readonly JsonObject[];
}

export interface KindDrift {
  added: string[];
  removed: string[];
  changed: { name: string; changedFields: string[] }[];
}

export interface Drift {
  tools: KindDrift;
  resources: KindDrift;
  resourceTemplates: KindDrift;
  prompts: KindDrift;
}

export const KINDS = ['tools', 'resources', 'resourceTemplates', 'prompts'] as const;

const IDENTITY = {
  tools: 'name',
  resources: 'uri',
  resourceTemplates: 'uriTemplate',
  prompts: 'name',
} as const satisfies Record<(typeof KINDS)[number], string>;

/** JSON equality: same type, same array items in order, same object members in any order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(rb, k) && jsonEqual(ra[k], rb[k]));
}

/** By identity; a list that names one item twice is judged by its first, as discovery's diff does. */
function byIdentity(items: readonly JsonObject[], key: string): Map<string, JsonObject> {
  const map = new Map<string, JsonObject>();
  for (const item of items) {
    const id = item[key];
    if (typeof id === 'string' && !map.has(id)) map.set(id, item);
  }
  return map;
}

function driftOfKind(signed: readonly JsonObject[], live: readonly JsonObject[], key: string): KindDrift {
  const s = byIdentity(signed, key);
  const l = byIdentity(live, key);
  const changed: KindDrift['changed'] = [];
  for (const name of [...s.keys()].filter((k) => l.has(k)).sort()) {
    const stated = s.get(name)!;
    const actual = l.get(name)!;
    const fields = Object.keys(stated)
      .filter((f) => f !== key && stated[f] !== undefined && !jsonEqual(stated[f], actual[f]))
      .sort();
    if (fields.length > 0) changed.push({ name, changedFields: fields });
  }
  return {
    added: [...l.keys()].filter((k) => !s.has(k)).sort(),
    removed: [...s.keys()].filter((k) => !l.has(k)).sort(),
    changed,
  };
}

export function driftBetween(manifest: CapabilityLists, live: CapabilityLists): Drift {
  const out = {} as Drift;
  for (const kind of KINDS) out[kind] = driftOfKind(manifest[kind] ?? [], live[kind] ?? [], IDENTITY[kind]);
  return out;
}

export function hasDrift(d: Drift): boolean {
  return KINDS.some((k) => d[k].added.length + d[k].removed.length + d[k].changed.length > 0);
}

export const NO_DRIFT: Drift = Object.freeze({
  tools: { added: [], removed: [], changed: [] },
  resources: { added: [], removed: [], changed: [] },
  resourceTemplates: { added: [], removed: [], changed: [] },
  prompts: { added: [], removed: [], changed: [] },
});
