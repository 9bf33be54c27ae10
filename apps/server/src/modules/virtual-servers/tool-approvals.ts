/**
 * Rug-pull protection's writes (issue 11 point 5, ADR 0044): an admin approving a member server's current
 * tool definitions, and the drift check discovery runs, in the transaction that stores a new capability
 * version, so that each drift of a pinned tool is announced once (`capabilities.drifted`, audit and outbox).
 */
import type { ApproveToolsInput } from '@sprintconnect/contracts';
import type { Actor } from '../../kernel/index.ts';
import type { Tx } from '../../platform/db/index.ts';
import { recordChange } from '../audit/index.ts';
import { toolDefinitionHash } from '../discovery/index.ts';
import { currentManifestTools, type ManifestTools, matchesStated } from '../trust/index.ts';
import { type Exposure, toolKey } from './expose-tools.ts';
import { approve, type Pinning, type ToolPin, type ToolPins } from './tool-pins.ts';
import { approvalStale, virtualServerInvalid, virtualServerNotFound } from './virtual-servers.errors.ts';
import * as repo from './virtual-servers.repo.ts';

export type Shown = Exposure & {
  readonly versions: ReadonlyMap<string, number | null>;
  /** `manifest` pinning only: each member server's current signed manifest tools (undefined: none). */
  readonly manifests?: ReadonlyMap<string, ManifestTools | undefined> | undefined;
};

export const pinsOf = (row: { approved_tools: unknown }): ToolPins => (row.approved_tools ?? {}) as ToolPins;
const reportedOf = (row: { reported_drifts: unknown }): Record<string, string> => ({
  ...((row.reported_drifts ?? {}) as Record<string, string>),
});

/**
 * Approves, on one virtual server, the definitions of every tool it shows from `serverId` as they are in that
 * server's capability version `version`, which must be the current one: an admin approves what they
 * reviewed, and a version that is no longer current (a rediscovery since) is a 409, never a silent approval
 * of definitions they did not see. Runs with the row locked so two approvals do not lose each other's pins.
 */
export async function approveTools(
  tx: Tx,
  actor: Actor,
  id: string,
  input: ApproveToolsInput,
  shown: Shown,
): Promise<void> {
  const row = await repo.lockById(tx, actor.orgId, id);
  if (row === undefined) throw virtualServerNotFound(id);
  if (row.pinning === 'off')
    throw virtualServerInvalid([
      {
        pointer: '',
        detail: 'This virtual server does not pin tools (`pinning` is `off`); nothing to approve.',
      },
    ]);
  if (row.pinning === 'manifest')
    throw virtualServerInvalid([
      {
        pointer: '',
        detail:
          'This virtual server serves what signed manifests state (`pinning` is `manifest`): approve by admitting a newly signed manifest (PUT /v1/servers/{id}/manifest).',
      },
    ]);
  if (!shown.versions.has(input.serverId))
    throw virtualServerInvalid([
      { pointer: '/serverId', detail: `No member server ${input.serverId} in this virtual server.` },
    ]);
  const current = shown.versions.get(input.serverId) ?? null;
  if (current !== input.version) throw approvalStale(input.serverId, input.version, current);
  const mine = (t: { serverId: string }) => t.serverId === input.serverId;
  const approved = approve(pinsOf(row), shown.exposed, shown.versions, mine);
  const reported = reportedOf(row);
  for (const key of Object.keys(reported)) if (key.startsWith(`${input.serverId}/`)) delete reported[key];
  await repo.updateRow(tx, actor.orgId, id, {
    approved_tools: JSON.stringify(approved),
    reported_drifts: JSON.stringify(reported),
    updated_at: new Date(),
  });
  await recordChange(tx, actor, {
    action: 'virtual_server.tools_approved',
    target: { type: 'virtual_server', id },
    data: {
      serverId: input.serverId,
      version: input.version,
      tools: shown.exposed.filter(mine).map((t) => t.upstreamName),
    },
  });
}

/**
 * Discovery's observer (ADR 0044): a new capability version of `serverId` is being stored; every virtual
 * server of the org that pins a tool of it whose definition now differs gets one `capabilities.drifted`
 * event naming the drifted tools, unless that very drift was already announced. A tool back at its approved
 * definition clears its announcement, so a later drift is announced again.
 */
export async function observeDrift(
  tx: Tx,
  stored: { orgId: string; serverId: string; version: number; snapshot: { tools: readonly unknown[] } },
): Promise<void> {
  const { orgId, serverId } = stored;
  const live = new Map<string, Record<string, unknown>>();
  for (const t of stored.snapshot.tools) {
    const tool = t as Record<string, unknown>;
    if (typeof tool.name === 'string' && !live.has(tool.name)) live.set(tool.name, tool);
  }
  const system: Actor = { type: 'system', id: 'virtual-servers', orgId };
  const rows = await repo.listPinning(tx, orgId);
  const manifestRows = rows.filter((r) => r.pinning === 'manifest');
  // Manifest pinning: only tools a member names explicitly (its server, all or listed tools) are announced.
  const members =
    manifestRows.length === 0
      ? []
      : (
          await repo.partsOf(
            tx,
            orgId,
            manifestRows.map((r) => r.id),
          )
        ).members;
  const manifest = manifestRows.length === 0 ? undefined : await currentManifestTools(tx, orgId, serverId);
  for (const row of rows) {
    const reported = reportedOf(row);
    const drifted: { tool: string; approvedHash: string; approvedVersion: number; currentHash: string }[] =
      [];
    let touched = false;
    for (const ref of referencesOf(row, serverId, manifest, members)) {
      const key = toolKey(serverId, ref.tool);
      const tool = live.get(ref.tool);
      if (tool === undefined) continue;
      const hash = toolDefinitionHash(tool);
      if (ref.matches(tool, hash)) {
        if (key in reported) {
          delete reported[key];
          touched = true;
        }
        continue;
      }
      if (reported[key] === hash) continue;
      reported[key] = hash;
      touched = true;
      drifted.push({
        tool: ref.tool,
        approvedHash: ref.approvedHash,
        approvedVersion: ref.approvedVersion,
        currentHash: hash,
      });
    }
    if (touched) await repo.updateRow(tx, orgId, row.id, { reported_drifts: JSON.stringify(reported) });
    if (drifted.length === 0) continue;
    await recordChange(tx, system, {
      action: 'capabilities.drifted',
      target: { type: 'virtual_server', id: row.id },
      data: { slug: row.slug, serverId, version: stored.version, tools: drifted },
    });
  }
}

/**
 * The approvals an update stores (undefined: unchanged). Turning pinning on approves what is shown now;
 * turning it off clears them; a reshape of a pinned virtual server approves only the tools it newly selects
 * (`before`: the keys shown before it), so an edit never approves a drifted tool by accident (ADR 0044).
 */
export function approvalsOnUpdate(u: {
  from: { pinning: Pinning; approved_tools: unknown };
  pinning: Pinning;
  exposure: Shown;
  before: ReadonlySet<string> | undefined;
}): Record<string, ToolPin> | undefined {
  const { exposed, versions } = u.exposure;
  if (u.pinning !== 'approved') return u.from.pinning === 'approved' ? {} : undefined;
  if (u.from.pinning !== 'approved') return approve({}, exposed, versions);
  if (u.before === undefined) return undefined;
  const before = u.before;
  return approve(
    keepSelected(pinsOf(u.from), exposed),
    exposed,
    versions,
    (t) => !before.has(toolKey(t.serverId, t.upstreamName)),
  );
}

interface Reference {
  readonly tool: string;
  readonly approvedHash: string;
  readonly approvedVersion: number;
  readonly matches: (live: Readonly<Record<string, unknown>>, hash: string) => boolean;
}

/** What each tool of `serverId` is pinned to on one virtual server: its approval, or its signed manifest entry. */
function referencesOf(
  row: repo.VirtualServerRow,
  serverId: string,
  manifest: ManifestTools | undefined,
  members: readonly repo.MemberRow[],
): Reference[] {
  if (row.pinning === 'approved')
    return (Object.entries(pinsOf(row)) as [string, ToolPin][])
      .filter(([key]) => key.startsWith(`${serverId}/`))
      .map(([key, pin]) => ({
        tool: key.slice(serverId.length + 1),
        approvedHash: pin.hash,
        approvedVersion: pin.version,
        matches: (_live, hash) => hash === pin.hash,
      }));
  if (manifest === undefined) return [];
  const mine = members.filter((m) => m.virtual_server_id === row.id && m.server_id === serverId);
  const selected = (tool: string) => mine.some((m) => m.tools === null || m.tools.includes(tool));
  return [...manifest.tools]
    .filter(([tool]) => selected(tool))
    .map(([tool, stated]) => ({
      tool,
      approvedHash: toolDefinitionHash(stated),
      approvedVersion: manifest.version,
      matches: (live) => matchesStated(stated, live),
    }));
}

/** Keeps only the approvals of tools still selected, so a dropped member's old pins cannot announce drift. */
function keepSelected(pins: ToolPins, exposed: Exposure['exposed']): Record<string, ToolPin> {
  const keys = new Set(exposed.map((t) => toolKey(t.serverId, t.upstreamName)));
  return Object.fromEntries(Object.entries(pins).filter(([k]) => keys.has(k)));
}
