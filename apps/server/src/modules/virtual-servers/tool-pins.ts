/**
 * Rug-pull protection (issue 11 point 5, ADR 0044), pure: which of the tools a virtual server exposes it may
 * serve, given the definition hash each was approved at. A tool whose current definition hash differs from its
 * approved one is withheld and reported as drifted; a tool with no approval (it arrived after the last
 * approval: a new tool, or a server a tag brought in) is withheld as unapproved. Both wait for an admin.
 */
import { toolDefinitionHash } from '../discovery/index.ts';
import { type ManifestTools, matchesStated } from '../trust/index.ts';
import { type ExposedTool, toolKey } from './expose-tools.ts';

export type Pinning = 'off' | 'approved' | 'manifest';

/** What an admin approved for one tool: its definition hash in the capability version they approved. */
export interface ToolPin {
  readonly hash: string;
  readonly version: number;
}

/** `"<server id>/<upstream name>"` -> its approval. */
export type ToolPins = Readonly<Record<string, ToolPin>>;

/** A tool withheld because its definition is not the approved one. */
export interface Drifted {
  readonly name: string;
  readonly serverId: string;
  readonly serverName: string;
  readonly upstreamName: string;
  /** `changed`: approved at another definition; `unapproved`: never approved on this virtual server. */
  readonly state: 'changed' | 'unapproved';
  /** What it is pinned to: an admin's approval (`approved` pinning) or the signed manifest (`manifest`). */
  readonly against: 'approval' | 'manifest';
  readonly approvedHash: string | null;
  readonly approvedVersion: number | null;
  readonly currentHash: string;
  readonly currentVersion: number | null;
}

export interface PinCheck {
  readonly served: readonly ExposedTool[];
  readonly drifted: readonly Drifted[];
}

export const toolDefinitionHashOf = (t: ExposedTool): string => toolDefinitionHash(t.definition);

/** Serves every tool when pinning is off; otherwise only those whose definition is the approved one. */
export function checkPins(
  pinning: Pinning,
  exposed: readonly ExposedTool[],
  pins: ToolPins,
  versions: ReadonlyMap<string, number | null>,
): PinCheck {
  if (pinning !== 'approved') return { served: exposed, drifted: [] };
  const served: ExposedTool[] = [];
  const drifted: Drifted[] = [];
  for (const t of exposed) {
    const pin = pins[toolKey(t.serverId, t.upstreamName)];
    const currentHash = toolDefinitionHash(t.definition);
    if (pin !== undefined && pin.hash === currentHash) {
      served.push(t);
      continue;
    }
    drifted.push({
      name: t.name,
      serverId: t.serverId,
      serverName: t.serverName,
      upstreamName: t.upstreamName,
      state: pin === undefined ? 'unapproved' : 'changed',
      against: 'approval',
      approvedHash: pin?.hash ?? null,
      approvedVersion: pin?.version ?? null,
      currentHash,
      currentVersion: versions.get(t.serverId) ?? null,
    });
  }
  return { served, drifted };
}

/**
 * `manifest` pinning: a tool is served only while it matches what its server's current verified manifest
 * states for it (member-wise, ADR 0015); a tool the manifest does not state, or of a server without one, is
 * unapproved. The "approved version" is the manifest's version and its hash that of the stated definition.
 */
export function checkManifestPins(
  exposed: readonly ExposedTool[],
  manifests: ReadonlyMap<string, ManifestTools | undefined>,
  versions: ReadonlyMap<string, number | null>,
): PinCheck {
  const served: ExposedTool[] = [];
  const drifted: Drifted[] = [];
  for (const t of exposed) {
    const manifest = manifests.get(t.serverId);
    const stated = manifest?.tools.get(t.upstreamName);
    if (stated !== undefined && matchesStated(stated, t.definition)) {
      served.push(t);
      continue;
    }
    drifted.push({
      name: t.name,
      serverId: t.serverId,
      serverName: t.serverName,
      upstreamName: t.upstreamName,
      state: stated === undefined ? 'unapproved' : 'changed',
      against: 'manifest',
      approvedHash: stated === undefined ? null : toolDefinitionHash(stated),
      approvedVersion: stated === undefined ? null : (manifest?.version ?? null),
      currentHash: toolDefinitionHash(t.definition),
      currentVersion: versions.get(t.serverId) ?? null,
    });
  }
  return { served, drifted };
}

/** The pins to store when tools are approved: each tool `only` accepts (all when absent) at its current definition. */
export function approve(
  pins: ToolPins,
  exposed: readonly ExposedTool[],
  versions: ReadonlyMap<string, number | null>,
  only?: (t: ExposedTool) => boolean,
): Record<string, ToolPin> {
  const next: Record<string, ToolPin> = { ...pins };
  for (const t of exposed) {
    if (only !== undefined && !only(t)) continue;
    next[toolKey(t.serverId, t.upstreamName)] = {
      hash: toolDefinitionHash(t.definition),
      version: versions.get(t.serverId) ?? 0,
    };
  }
  return next;
}

/** What a JSON-RPC caller and an admin read: which tool drifted, from which approved definition to which. */
export function driftMessage(slug: string, d: Drifted): string {
  const where = `tool "${d.name}" of virtual server "${slug}" (server "${d.serverName}", upstream "${d.upstreamName}")`;
  const now = `version ${d.currentVersion ?? '?'}, hash ${d.currentHash.slice(0, 12)}`;
  if (d.against === 'manifest')
    return d.state === 'unapproved'
      ? `Withheld: ${where} is not in its server's signed manifest (current ${now}); admit a signed manifest that states it.`
      : `Withheld: ${where} differs from its signed manifest (manifest version ${d.approvedVersion}, hash ${d.approvedHash?.slice(0, 12)}; current ${now}); admit a newly signed manifest.`;
  return d.state === 'unapproved'
    ? `Withheld: ${where} has not been approved on this endpoint (current ${now}); an admin must approve it.`
    : `Withheld: ${where} changed since it was approved (approved version ${d.approvedVersion}, hash ${d.approvedHash?.slice(0, 12)}; current ${now}); an admin must approve the new definition.`;
}
