import type { Authorizer, Resource, VisibleServers } from '../authz/index.ts';
import { holds, showsCapability } from '../authz/index.ts';
import type { Entry, GatewayServer } from './catalogue.ts';

/**
 * What the PDP is asked about a catalogue entry (issue 11 point 4): the capability `<server id>/<kind>/<name>`
 * with its server's attributes, as discovery and search name capabilities, so one policy governs them all.
 */
export type Kind = 'tool' | 'resource' | 'prompt';

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export const capabilityOf = (orgId: string, e: Entry, kind: Kind): Resource => {
  const name = kind === 'resource' ? str(e.item.name) || e.upstreamName : e.upstreamName;
  return {
    type: 'capability',
    orgId,
    id: `${e.server.id}/${kind}/${name}`,
    server: { name: e.server.name, environment: e.server.environment, tags: e.server.tags },
    capability: { serverId: e.server.id, kind, name },
  };
};

export const scalars = (v: unknown): Record<string, string | number | boolean> => {
  const out: Record<string, string | number | boolean> = {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string' || typeof x === 'boolean' || (typeof x === 'number' && Number.isSafeInteger(x)))
      out[k] = x;
  }
  return out;
};

/** The listing scope, or undefined when the PDP shows nothing (a refusal is an empty list, not an error). */
function scopeOf(authz: Authorizer): VisibleServers | undefined {
  try {
    return authz.visibleServers('tools:call');
  } catch {
    return undefined;
  }
}

export function visible(authz: Authorizer, entries: Iterable<Entry>, kind: Kind, orgId: string): Entry[] {
  const scope = scopeOf(authz);
  if (scope === undefined) return [];
  const shown = new Map<GatewayServer, boolean>();
  const out: Entry[] = [];
  for (const e of entries) {
    const facts = {
      id: e.server.id,
      name: e.server.name,
      environment: e.server.environment,
      tags: e.server.tags,
    };
    let s = shown.get(e.server);
    if (s === undefined) {
      s = scope.mode === 'query' ? holds(scope.filter.server, facts) : scope.showsServer(facts);
      shown.set(e.server, s);
    }
    if (!s) continue;
    const cap = capabilityOf(orgId, e, kind).capability!;
    if (showsCapability(scope, facts, { kind: cap.kind, name: cap.name })) out.push(e);
  }
  return out;
}
