import type { ToolOverrideInput, VirtualServer, VirtualServerMemberInput } from '@sprintconnect/contracts';
import {
  type ExposedTool,
  type Member,
  type NamingRule,
  toolKey,
  type VirtualServerSpec,
} from './expose-tools.ts';
import { type Drifted, type ToolPins, toolDefinitionHashOf } from './tool-pins.ts';
import type { Stored } from './virtual-servers.repo.ts';

/** A member row as stored (migration 024), whether read back or about to be written. */
interface MemberLike {
  readonly org_id: string;
  readonly virtual_server_id: string;
  readonly position: number;
  readonly kind: 'server' | 'tag';
  readonly server_id: string | null;
  readonly tools: string[] | null;
  readonly tag: string | null;
}

interface OverrideLike {
  readonly org_id: string;
  readonly virtual_server_id: string;
  readonly server_id: string;
  readonly tool: string;
  readonly name: string | null;
  readonly title: string | null;
  readonly description: string | null;
  readonly invocation_class: 'read' | 'write' | 'destructive' | null;
}

export function toMemberRows(
  orgId: string,
  id: string,
  members: readonly VirtualServerMemberInput[],
): MemberLike[] {
  return members.map((m, position) => {
    const base = { org_id: orgId, virtual_server_id: id, position };
    if ('tag' in m) return { ...base, kind: 'tag', server_id: null, tools: null, tag: m.tag };
    const tools = m.tools === undefined || m.tools === 'all' ? null : [...m.tools];
    return { ...base, kind: 'server', server_id: m.serverId, tools, tag: null };
  });
}

export function toOverrideRows(
  orgId: string,
  id: string,
  overrides: readonly ToolOverrideInput[],
): OverrideLike[] {
  return overrides.map((o) => ({
    org_id: orgId,
    virtual_server_id: id,
    server_id: o.serverId,
    tool: o.tool,
    name: o.name ?? null,
    title: o.title ?? null,
    description: o.description ?? null,
    invocation_class: o.invocationClass ?? null,
  }));
}

const toMember = (m: MemberLike): Member =>
  m.kind === 'tag'
    ? { kind: 'tag', tag: m.tag ?? '' }
    : { kind: 'server', serverId: m.server_id ?? '', tools: m.tools };

/** What exposeTools needs of a stored (or about to be stored) virtual server. */
export function specOf(s: {
  row: { naming: NamingRule; pinned_names: unknown };
  members: readonly MemberLike[];
  overrides: readonly OverrideLike[];
}): VirtualServerSpec {
  return {
    naming: s.row.naming,
    members: s.members.map(toMember),
    overrides: s.overrides.map((o) => ({
      serverId: o.server_id,
      tool: o.tool,
      name: o.name,
      title: o.title,
      description: o.description,
      invocationClass: o.invocation_class,
    })),
    pinned: (s.row.pinned_names ?? {}) as Record<string, string>,
  };
}

const defined = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], null>;
  };

/** Pinning's part of a view: the withheld tools and what each shown tool was approved at (ADR 0044). */
export interface PinView {
  readonly drifted: readonly Drifted[];
  readonly pins: ToolPins;
  readonly versions: ReadonlyMap<string, number | null>;
}

function approvedPin(t: ExposedTool, p: PinView) {
  const pin = p.pins[toolKey(t.serverId, t.upstreamName)];
  return {
    state: 'approved' as const,
    approvedHash: pin?.hash ?? null,
    approvedVersion: pin?.version ?? null,
    currentHash: toolDefinitionHashOf(t),
    currentVersion: p.versions.get(t.serverId) ?? null,
  };
}

export function toView(s: Stored, tools?: readonly ExposedTool[], pinned?: PinView): VirtualServer {
  const { row } = s;
  const pinning = row.pinning !== 'off' && pinned !== undefined ? pinned : undefined;
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    naming: row.naming,
    pinning: row.pinning,
    enabled: row.enabled,
    members: s.members.map((m) =>
      m.kind === 'tag' ? { tag: m.tag ?? '' } : { serverId: m.server_id ?? '', tools: m.tools ?? 'all' },
    ),
    overrides: s.overrides.map((o) =>
      defined({
        serverId: o.server_id,
        tool: o.tool,
        name: o.name,
        title: o.title,
        description: o.description,
        invocationClass: o.invocation_class,
      }),
    ),
    ...(tools !== undefined && {
      tools: tools.map((t) =>
        defined({
          name: t.name,
          title: t.title,
          description: t.description,
          serverId: t.serverId,
          upstreamName: t.upstreamName,
          pin: pinning && approvedPin(t, pinning),
        }),
      ),
    }),
    ...(pinning !== undefined && {
      withheld: pinning.drifted.map((d) => ({
        name: d.name,
        serverId: d.serverId,
        upstreamName: d.upstreamName,
        pin: {
          state: d.state,
          approvedHash: d.approvedHash,
          approvedVersion: d.approvedVersion,
          currentHash: d.currentHash,
          currentVersion: d.currentVersion,
        },
      })),
    }),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    links: { self: `/v1/virtual-servers/${row.id}`, mcp: `/mcp/${row.slug}` },
  };
}
